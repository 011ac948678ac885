package io.epiphany.kubeadm.engine;

import java.util.List;

/**
 * An etcd member as {@code etcdctl member list -w json --hex} reports it. A member that was added but never started
 * has an empty name, so machines are matched by peer URL ({@code https://<ip>:2380}).
 */
record EtcdMember(String idHex, String name, List<String> peerUrls, boolean learner, boolean healthy) {
    boolean isPeer(String ip) {
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return peerUrls.contains("https://" + host + ":2380");
    }

    EtcdMember withHealth(boolean isHealthy) {
        return new EtcdMember(idHex, name, peerUrls, learner, isHealthy);
    }
}
