package io.epiphany.kubeadm.engine;

import java.util.List;

/**
 * An etcd member as {@code etcdctl member list -w json} reports it, with its health from {@code endpoint health
 * --cluster}. A member that was added but never started has an empty name, so machines are matched by peer URL
 * ({@code https://<ip>:2380}). {@code idHex} is normalised by {@link EtcdId} whatever etcdctl version printed it.
 */
record EtcdMember(String idHex, String name, List<String> peerUrls, List<String> clientUrls, boolean learner,
        boolean healthy, boolean leader) {
    boolean isPeer(String ip) {
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return peerUrls.contains("https://" + host + ":2380");
    }

    List<String> clientHosts() {
        return clientUrls.stream().map(FactsGatherer::hostOf).toList();
    }

    /** The member's name, or its ID when it never started. */
    String label() {
        return name.isEmpty() ? idHex + " (never started)" : name;
    }

    /** A started voting member that answers health checks. */
    boolean serving() {
        return healthy && !learner && !name.isEmpty();
    }

    EtcdMember withHealth(boolean isHealthy, boolean isLeader) {
        return new EtcdMember(idHex, name, peerUrls, clientUrls, learner, isHealthy, isLeader);
    }
}
