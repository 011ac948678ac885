package io.epiphany.testkit;

import io.epiphany.testkit.sim.HaproxyConfig;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.kube.ClusterAccess;
import io.epiphany.testkit.sim.kube.Nodes;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What the SIMULATED cluster is, read from the simulation itself (not through kubectl or etcdctl output), for tests
 * to check what the SDK did: {@link SimulatedFleet#etcdMembers()}, {@link SimulatedFleet#nodes()},
 * {@link SimulatedFleet#haproxyBackends()}.
 */
public final class SimulatedCluster {
    private SimulatedCluster() {}

    /**
     * One etcd member.
     *
     * @param id the member ID as etcdctl {@code --hex} prints it (unpadded hex)
     * @param healthy its etcd runs and the cluster has quorum (what {@code endpoint health} reports)
     * @param leader it is the raft leader
     */
    public record EtcdMember(String id, String name, String host, String peerUrl, boolean learner, boolean running,
            boolean healthy, boolean leader) {
        /** The ID as the unsigned 64-bit number etcd uses (etcdctl 3.4 prints it this way in JSON). */
        public BigInteger idNumber() {
            return new BigInteger(id, 16);
        }
    }

    /** A Node taint; {@code value} may be null. */
    public record Taint(String key, String value, String effect) {}

    /**
     * A Node object.
     *
     * @param ready the Ready condition's status: "True", "False" or "Unknown"
     * @param readyReason its reason, e.g. KubeletReady, NodeStatusUnknown
     */
    public record Node(String name, String host, boolean controlPlane, String kubeletVersion, boolean unschedulable,
            Map<String, String> labels, Map<String, String> annotations, List<Taint> taints, String ready,
            String readyReason) {
        public Node {
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
            taints = List.copyOf(taints);
        }
    }

    /** A {@code server} line of a backend HAProxy runs with: its name and address ({@code ip:port}). */
    public record HaproxyServer(String name, String address) {}

    /** Every named host's {@link #haproxyBackends(SimulationState, String)}, hostname to backends, in that order. */
    static Map<String, Map<String, List<HaproxyServer>>> haproxyBackends(SimulationState s,
            java.util.Collection<String> hostnames) {
        Map<String, Map<String, List<HaproxyServer>>> out = new java.util.LinkedHashMap<>();
        hostnames.forEach(h -> out.put(h, haproxyBackends(s, h)));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** CoreDNS's ready replicas: 2 once any Node is Ready (the CNI runs), else 0 (Pending, or no cluster). */
    static int corednsReadyReplicas(SimulationState s) {
        return s.kube != null && s.kube.nodes.values().stream()
                .anyMatch(n -> Nodes.condition(s, n).status().equals("True")) ? 2 : 0;
    }

    /** A Pod on a Node, for the SIMULATED {@code kubectl drain} (see {@link SimulatedFleet#placePod}). */
    static void placePod(SimulationState s, String node, String namespace, String name, String controller,
            boolean emptyDir, String blockingPdb) {
        SimulationState.Pod p = new SimulationState.Pod();
        p.node = node;
        p.namespace = namespace;
        p.name = name;
        p.controller = controller;
        p.emptyDir = emptyDir;
        p.blockingPdb = blockingPdb;
        s.kube.pods.add(p);
    }

    /**
     * The backends (and listen sections) of the haproxy.cfg a host's HAProxy runs with, as the SIMULATED haproxy read
     * it at its last start or reload (not the file as it is now): backend name to its servers, in order. Empty when
     * HAProxy does not run there.
     */
    static Map<String, List<HaproxyServer>> haproxyBackends(SimulationState s, String hostname) {
        SimulationState.Host h = s.hosts.get(hostname);
        if (h == null || !h.up || !h.active.contains("haproxy") || h.haproxyConfig == null) {
            return Map.of();
        }
        Map<String, List<HaproxyServer>> out = new java.util.LinkedHashMap<>();
        HaproxyConfig.parse(h.haproxyConfig).backends().forEach((name, p) -> {
            List<HaproxyServer> servers = new java.util.ArrayList<>();
            for (int i = 0; i < p.servers().size(); i++) {
                servers.add(new HaproxyServer(p.serverNames().get(i), p.servers().get(i)));
            }
            out.put(name, List.copyOf(servers));
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    static List<EtcdMember> members(SimulationState s) {
        if (s.kube == null) {
            return List.of();
        }
        boolean quorum = ClusterAccess.quorum(s);
        return s.kube.members.stream().map(m -> {
            boolean running = ClusterAccess.memberRunning(s, m);
            return new EtcdMember(new BigInteger(m.id, 16).toString(16), m.name, m.host, m.peerUrl, m.learner,
                    running, running && quorum, quorum && m.id.equals(s.kube.leaderId));
        }).toList();
    }

    static List<Node> nodes(SimulationState s) {
        if (s.kube == null) {
            return List.of();
        }
        return s.kube.nodes.values().stream().map(n -> {
            Nodes.Ready ready = Nodes.condition(s, n);
            return new Node(n.name, n.host, n.controlPlane, n.kubeletVersion, n.unschedulable, n.labels,
                    n.annotations, n.taints.stream().map(t -> new Taint(t.key, t.value, t.effect)).toList(),
                    ready.status(), ready.reason());
        }).toList();
    }
}
