package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.RealEtcd;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED {@code etcdctl} (v3 API) as it runs inside a host's etcd static pod (a kubeadm host has no etcdctl binary:
 * it is reached only through {@link Crictl} {@code exec}): {@code member list}, {@code member remove},
 * {@code member promote}, {@code endpoint health}, {@code endpoint status} ({@code --cluster}, {@code -w json},
 * {@code --hex}), {@code move-leader}, {@code put}, {@code get}. TLS flags must name files the container sees (its
 * hostPath mounts) and the cluster's etcd CA; linearizable requests fail without quorum. On a real-OS fleet host
 * ({@link RealOsMode}) it is not simulated: it runs the REAL etcdctl against the REAL etcd ({@link RealEtcd#etcdctl}).
 */
public final class Etcdctl {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIMEOUT = "Error: context deadline exceeded";

    /** Whether these etcdctl arguments change the cluster. */
    public boolean changesState(List<String> args) {
        List<String> w = positional(args);
        if (w.isEmpty()) {
            return false;
        }
        return switch (w.get(0)) {
            case "member" -> w.size() > 1 && !w.get(1).equals("list");
            case "move-leader", "put", "del" -> true;
            default -> false;
        };
    }

    /**
     * Runs etcdctl with {@code inv.args()} inside a host's etcd container, which sees the host's files only under
     * {@code mounts} (the pod's hostPath volumes) and runs as root.
     */
    public int run(Invocation inv, List<String> mounts) throws IOException {
        List<String> a = inv.args();
        if (RealOsMode.enabled()) {
            // real-OS fleet only: etcd there is REAL (Debian etcd-server), so is the etcdctl that talks to it
            return RealEtcd.etcdctl(a, inv.out(), inv.err());
        }
        HostContext host = inv.host();
        String endpoints = Kubeadm.option(a, "--endpoints").orElse("127.0.0.1:2379");
        for (String flag : List.of("--cacert", "--cert", "--key")) {
            Optional<String> path = Kubeadm.option(a, flag);
            boolean visible = path.isPresent() && mounts.stream().anyMatch(m -> path.get().startsWith(m + "/"));
            if (path.isPresent() && (!visible || !host.files().exists(path.get()))) {
                inv.err().println("Error: open " + path.get() + ": no such file or directory");
                return 1;
            }
        }
        String caPem = Kubeadm.option(a, "--cacert").isPresent()
                ? host.files().readString(Kubeadm.option(a, "--cacert").get()) : null;
        boolean json = Kubeadm.option(a, "-w").or(() -> Kubeadm.option(a, "--write-out")).map("json"::equals)
                .orElse(false);
        boolean hex = a.contains("--hex");
        boolean cluster = a.contains("--cluster");
        List<String> w = positional(a);
        String[] result = host.store().update(s -> {
            SimulationState.Member via = connect(s, host.hostname(), endpoints, caPem);
            if (via == null) {
                return new String[] {null, TIMEOUT};
            }
            return execute(s, via, w, json, hex, cluster);
        });
        if (result[0] != null) {
            inv.out().println(result[0]);
        }
        if (result[1] != null) {
            inv.err().println(result[1]);
            return 1;
        }
        return 0;
    }

    /** The running member behind one of the endpoints that trusts the given CA, or null (TLS or dial timeout). */
    private static SimulationState.Member connect(SimulationState s, String self, String endpoints, String caPem) {
        if (s.kube == null || (caPem != null && !caPem.equals(s.kube.etcdCaCertPem))) {
            return null;
        }
        for (String e : endpoints.split(",")) {
            String url = e.startsWith("https://") ? e : "https://" + e;
            for (SimulationState.Member m : s.kube.members) {
                boolean local = url.startsWith("https://127.0.0.1:") || url.startsWith("https://localhost:");
                if ((local ? m.host.equals(self) : m.clientUrl.equals(url)) && ClusterAccess.memberRunning(s, m)) {
                    return m;
                }
            }
        }
        return null;
    }

    private static String[] execute(SimulationState s, SimulationState.Member via, List<String> w, boolean json,
            boolean hex, boolean cluster) {
        SimulationState.Kube k = s.kube;
        String cmd = String.join(" ", w.subList(0, Math.min(2, w.size())));
        boolean quorum = ClusterAccess.quorum(s);
        ClusterAccess.electLeader(s);
        switch (cmd) {
            case "member list": {
                if (!quorum) {
                    return new String[] {null, "Error: etcdserver: request timed out"};
                }
                List<Object> members = new ArrayList<>();
                for (SimulationState.Member m : k.members) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("ID", id(m.id, hex));
                    boolean started = ClusterAccess.memberRunning(s, m) || !m.learner;
                    o.put("name", started ? m.name : "");
                    o.put("peerURLs", List.of(m.peerUrl));
                    o.put("clientURLs", started ? List.of(m.clientUrl) : List.of());
                    if (m.learner) {
                        o.put("isLearner", true);
                    }
                    members.add(o);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("header", header(k, via, hex));
                out.put("members", members);
                if (!json) {
                    StringBuilder sb = new StringBuilder();
                    for (SimulationState.Member m : k.members) {
                        sb.append(m.id).append(", started, ").append(m.name).append(", ").append(m.peerUrl)
                                .append(", ").append(m.clientUrl).append(", ").append(m.learner).append('\n');
                    }
                    return new String[] {sb.toString().strip(), null};
                }
                return new String[] {write(out), null};
            }
            case "member remove": {
                if (w.size() < 3) {
                    return new String[] {null, "Error: member ID is not provided"};
                }
                if (!quorum) {
                    return new String[] {null, "Error: etcdserver: request timed out"};
                }
                String id = normalise(w.get(2));
                Optional<SimulationState.Member> m = k.members.stream().filter(x -> x.id.equals(id)).findFirst();
                if (m.isEmpty()) {
                    return new String[] {null, "Error: etcdserver: member not found"};
                }
                k.members.remove(m.get());
                k.history.add("member remove " + m.get().name + " (etcdctl)");
                k.raftTerm++;
                ClusterAccess.electLeader(s);
                return new String[] {"Member " + id + " removed from cluster " + k.etcdClusterId, null};
            }
            case "endpoint health": {
                List<SimulationState.Member> targets = cluster ? k.members : List.of(via);
                List<Object> out = new ArrayList<>();
                boolean allHealthy = true;
                StringBuilder text = new StringBuilder();
                for (SimulationState.Member m : targets) {
                    boolean healthy = ClusterAccess.memberRunning(s, m) && quorum;
                    allHealthy &= healthy;
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("endpoint", m.clientUrl);
                    o.put("health", healthy);
                    o.put("took", healthy ? "1.234567ms" : "5.000912345s");
                    if (!healthy) {
                        o.put("error", ClusterAccess.memberRunning(s, m) ? "etcdserver: request timed out"
                                : "context deadline exceeded");
                    }
                    out.add(o);
                    text.append(m.clientUrl).append(healthy ? " is healthy: successfully committed proposal: took = 1.234567ms"
                            : " is unhealthy: failed to commit proposal: context deadline exceeded").append('\n');
                }
                String body = json ? write(out) : text.toString().strip();
                return allHealthy ? new String[] {body, null}
                        : new String[] {body, "Error: unhealthy cluster"};
            }
            case "endpoint status": {
                List<SimulationState.Member> targets = cluster ? k.members : List.of(via);
                List<Object> out = new ArrayList<>();
                for (SimulationState.Member m : targets) {
                    if (!ClusterAccess.memberRunning(s, m)) {
                        continue;
                    }
                    Map<String, Object> status = new LinkedHashMap<>();
                    status.put("header", header(k, m, hex));
                    status.put("version", "3.5.21");
                    status.put("dbSize", 4_915_200);
                    status.put("leader", id(quorum ? k.leaderId : "0000000000000000", hex));
                    status.put("raftIndex", k.revision + 100);
                    status.put("raftTerm", k.raftTerm);
                    status.put("raftAppliedIndex", k.revision + 100);
                    status.put("dbSizeInUse", 2_457_600);
                    if (m.learner) {
                        status.put("isLearner", true);
                    }
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("Endpoint", m.clientUrl);
                    o.put("Status", status);
                    out.add(o);
                }
                return new String[] {write(out), null};
            }
            default:
                break;
        }
        if (w.isEmpty()) {
            return new String[] {null, "Error: unknown command (SIMULATED etcdctl)"};
        }
        switch (w.get(0)) {
            case "move-leader": {
                if (w.size() < 2) {
                    return new String[] {null, "Error: move-leader expects one argument"};
                }
                if (!quorum) {
                    return new String[] {null, "Error: etcdserver: request timed out"};
                }
                if (!via.id.equals(k.leaderId)) {
                    return new String[] {null, "Error: no leader endpoint given at [" + via.clientUrl + "]"};
                }
                String target = normalise(w.get(1));
                Optional<SimulationState.Member> m = k.members.stream().filter(x -> x.id.equals(target)).findFirst();
                if (m.isEmpty() || m.get().learner || !ClusterAccess.memberRunning(s, m.get())) {
                    return new String[] {null, "Error: etcdserver: bad leader transferee"};
                }
                String from = k.leaderId;
                k.leaderId = target;
                k.raftTerm++;
                return new String[] {"Leadership transferred from " + from + " to " + target, null};
            }
            case "put": {
                if (w.size() != 3) {
                    return new String[] {null, "Error: put command needs 1 argument and input from stdin or 2 arguments"};
                }
                if (!quorum) {
                    return new String[] {null, "Error: etcdserver: request timed out"};
                }
                k.keyValues.put(w.get(1), w.get(2));
                k.revision++;
                return new String[] {"OK", null};
            }
            case "get": {
                if (w.size() != 2) {
                    return new String[] {null, "Error: get command needs one argument as key"};
                }
                if (!quorum) {
                    return new String[] {null, "Error: etcdserver: request timed out"};
                }
                String v = k.keyValues.get(w.get(1));
                return new String[] {v == null ? "" : w.get(1) + "\n" + v, null};
            }
            default:
                return new String[] {null, "Error: unknown command \"" + w.get(0) + "\" (SIMULATED etcdctl)"};
        }
    }

    private static Map<String, Object> header(SimulationState.Kube k, SimulationState.Member m, boolean hex) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("cluster_id", id(k.etcdClusterId, hex));
        h.put("member_id", id(m.id, hex));
        h.put("revision", k.revision);
        h.put("raft_term", k.raftTerm);
        return h;
    }

    /** With {@code --hex} a hex string, otherwise the decimal uint64 (which can exceed a signed long). */
    private static Object id(String hexId, boolean hex) {
        return hex ? hexId : new BigInteger(hexId, 16);
    }

    private static String normalise(String id) {
        String h = id.toLowerCase();
        return h.matches("[0-9a-f]{1,16}") ? String.format("%16s", h).replace(' ', '0') : h;
    }

    private static List<String> positional(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (List.of("--endpoints", "--cacert", "--cert", "--key", "-w", "--write-out").contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
