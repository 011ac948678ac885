package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything the engine knows about the machines and the running cluster, gathered read-only. Facts decide every
 * step: there is no local state file that could drift from the machines.
 *
 * @param apiMaster the master the cluster's API was read through (reachable, with admin.conf), if any
 * @param etcdVia the master whose etcd answered for the membership, if any
 * @param stored the ClusterConfiguration kubeadm stored in the cluster, if it could be read
 * @param retired machines the cluster reports (Nodes, etcd members) that the description no longer has; their
 *        address comes from the Node's InternalIP or the member's peer URL
 * @param etcdTried why each master's etcd did not answer, when one did not
 * @param cniDaemonSets {@code namespace/name} of every DaemonSet that mounts {@code /etc/cni/net.d} (a CNI), when the
 *        API answered
 * @param coreDnsReady CoreDNS's Deployment had all its replicas ready when the facts were read (false when unknown):
 *        what verification of an apply that ran no step takes instead of asking again
 */
record Facts(Map<String, HostFacts> hosts, Optional<String> apiMaster, Optional<String> etcdVia,
        Optional<StoredConfig> stored, List<NodeInfo> nodes, List<EtcdMember> members, List<Machine> retired,
        List<String> etcdTried, Optional<List<String>> cniDaemonSets, boolean coreDnsReady) {

    HostFacts host(Machine m) {
        return hosts.get(m.hostname());
    }

    boolean clusterExists() {
        return apiMaster.isPresent() || hosts.values().stream().anyMatch(HostFacts::adminConf);
    }

    /** A retired machine that ran the control plane (a control-plane Node or an etcd member). */
    boolean retiredMaster(Machine m) {
        return member(m).isPresent() || node(m.hostname()).map(NodeInfo::controlPlane).orElse(false);
    }

    Optional<NodeInfo> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    Optional<EtcdMember> member(Machine m) {
        return members.stream().filter(e -> e.isPeer(m.ip())).findFirst();
    }

    /** A master that is in etcd (a started voting member) and registered as a Node. */
    boolean joinedMaster(Machine m) {
        return member(m).filter(e -> !e.learner() && !e.name().isEmpty()).isPresent() && node(m.hostname()).isPresent();
    }

    Optional<ControlPlaneFacts> controlPlane(Machine m) {
        return host(m).controlPlane();
    }

    String digest() {
        String text = hosts.values().stream().map(HostFacts::digestText).sorted().collect(Collectors.joining("\n"))
                + "\napi=" + apiMaster.orElse("-")
                + "\nstored=" + stored.map(StoredConfig::toString).orElse("-")
                + "\nnodes=" + nodes.stream().map(n -> n.name() + n.ready() + n.labels() + n.taints()
                        + n.annotations() + n.kubeletVersion()).sorted().toList()
                + "\ncni=" + cniDaemonSets.map(Object::toString).orElse("-")
                + "\nretired=" + retired.stream().map(Machine::hostname).sorted().toList()
                + "\nmembers=" + members.stream().map(e -> e.idHex() + e.name() + e.peerUrls() + e.learner()
                        + e.healthy()).sorted().toList();
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
