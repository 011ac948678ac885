package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED {@code etcdctl} (v3 API) as it runs inside a host's etcd static pod (a kubeadm host has no etcdctl binary:
 * it is reached only through {@link Crictl} {@code exec}): {@code member list}, {@code member remove},
 * {@code member promote}, {@code endpoint health}, {@code endpoint status} ({@code --cluster}, {@code -w json},
 * {@code --hex}), {@code move-leader}, {@code put}, {@code get <key> [range_end] [--prefix] [--keys-only] [--limit=n]
 * [-w json]},
 * {@code snapshot save} ({@link EtcdSnapshots}).
 * TLS flags must name files the container sees (its hostPath mounts) and the cluster's etcd CA; linearizable
 * requests fail without quorum. (On a real-OS fleet host the fleet's crictl shim runs the REAL etcdctl against the
 * REAL etcd instead, see system-tests/fleet.)
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
            case "move-leader", "put", "del", "snapshot" -> true;
            default -> false;
        };
    }

    /**
     * Runs etcdctl with {@code inv.args()} inside a host's etcd container, which sees the host's files only under
     * {@code mounts} (the pod's hostPath volumes) and runs as root.
     */
    public int run(Invocation inv, List<String> mounts) throws IOException {
        List<String> a = inv.args();
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
        if (w.size() >= 2 && w.get(0).equals("snapshot") && w.get(1).equals("save")) {
            return EtcdSnapshots.save(inv, mounts, w,
                    host.store().read(s -> connect(s, host.hostname(), endpoints, caPem) != null));
        }
        Optional<Outcome> badArgs = checkIdArgument(w);
        if (badArgs.isPresent()) {
            return badArgs.get().print(inv); // etcdctl parses the ID before it connects
        }
        Outcome result = host.store().update(s -> {
            SimulationState.Member via = connect(s, host.hostname(), endpoints, caPem);
            if (via == null) {
                return Outcome.error(TIMEOUT);
            }
            return w.size() >= 2 && w.get(0).equals("member") && w.get(1).equals("add")
                    ? EtcdMembers.add(s, w, a) : execute(s, via, w, json, hex && EtcdIds.hexJson(s.etcdVersion),
                            cluster, a.contains("--prefix"), a.contains("--keys-only"),
                            Kubeadm.option(a, "--limit").map(Integer::parseInt).orElse(0));
        });
        return result.print(inv);
    }

    /** What one etcdctl run prints and its exit code. */
    record Outcome(String out, String err, int code) {
        static Outcome ok(String out) {
            return new Outcome(out, null, 0);
        }

        static Outcome error(String err) {
            return new Outcome(null, err, 1);
        }

        /** cobrautl.ExitBadArgs: etcdctl's exit code for arguments it cannot parse. */
        static Outcome badArgs(String err) {
            return new Outcome(null, err, 128);
        }

        int print(Invocation inv) {
            if (out != null) {
                inv.out().println(out);
            }
            if (err != null) {
                inv.err().println(err);
            }
            return code;
        }
    }

    /** The ID argument of member remove/promote and move-leader, parsed as etcdctl does (hex). */
    private static Optional<Outcome> checkIdArgument(List<String> w) {
        String cmd = String.join(" ", w.subList(0, Math.min(2, w.size())));
        boolean member = cmd.equals("member remove") || cmd.equals("member promote");
        boolean moveLeader = !w.isEmpty() && w.get(0).equals("move-leader");
        int at = member ? 2 : 1;
        if (!member && !moveLeader) {
            return Optional.empty();
        }
        if (w.size() != at + 1) {
            return Optional.of(Outcome.badArgs(member ? "Error: member ID is not provided"
                    : "Error: move-leader command needs 1 argument"));
        }
        EtcdIds.Parsed id = EtcdIds.parse(w.get(at));
        if (id.error() == null) {
            return Optional.empty();
        }
        // member_command.go wraps the error; move_leader_command.go prints it as it is
        return Optional.of(Outcome.badArgs(member ? "Error: bad member ID arg (" + id.error() + "), expecting ID in Hex"
                : "Error: " + id.error()));
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

    private static Outcome execute(SimulationState s, SimulationState.Member via, List<String> w, boolean json,
            boolean hex, boolean cluster, boolean prefix, boolean keysOnly, int limit) {
        String cmd = String.join(" ", w.subList(0, Math.min(2, w.size())));
        boolean quorum = ClusterAccess.quorum(s);
        ClusterAccess.electLeader(s);
        if (cmd.startsWith("member ")) {
            return EtcdMembers.run(s, via, w, json, hex, quorum);
        }
        switch (cmd) {
            case "endpoint health":
                return health(s, cluster ? withClientUrls(s) : List.of(via), json, quorum);
            case "endpoint status":
                return status(s, cluster ? withClientUrls(s) : List.of(via), hex, quorum);
            default:
                break;
        }
        if (w.isEmpty()) {
            return Outcome.error("Error: unknown command (SIMULATED etcdctl)");
        }
        SimulationState.Kube k = s.kube;
        if (!quorum && List.of("move-leader", "put", "get").contains(w.get(0))) {
            return Outcome.error("Error: etcdserver: request timed out");
        }
        switch (w.get(0)) {
            case "move-leader": {
                if (!via.id.equals(k.leaderId)) {
                    return Outcome.badArgs("Error: no leader endpoint given at [" + via.clientUrl + "]");
                }
                String target = EtcdIds.parse(w.get(1)).stored();
                Optional<SimulationState.Member> m = k.members.stream().filter(x -> x.id.equals(target)).findFirst();
                if (m.isEmpty() || m.get().learner || !ClusterAccess.memberRunning(s, m.get())) {
                    return Outcome.error("Error: etcdserver: bad leader transferee");
                }
                String from = k.leaderId;
                k.leaderId = target;
                k.raftTerm++;
                return Outcome.ok("Leadership transferred from " + EtcdIds.hex(from) + " to " + EtcdIds.hex(target));
            }
            case "put": {
                if (w.size() != 3) {
                    return Outcome.badArgs("Error: put command needs 1 argument and input from stdin or 2 arguments");
                }
                k.keyValues.put(w.get(1), w.get(2));
                k.revision++;
                return Outcome.ok("OK");
            }
            case "get": {
                // etcdctl/ctlv3/command/get_command.go: "get [options] <key> [range_end]"
                if (w.size() != 2 && w.size() != 3) {
                    return Outcome.badArgs("Error: get command needs one argument as key and an optional argument "
                            + "as range_end");
                }
                if (prefix && w.size() == 3) {
                    return Outcome.badArgs("Error: too many arguments, only accept one argument when `--prefix` is "
                            + "set.");
                }
                String key = w.get(1);
                java.util.function.Predicate<String> inRange = w.size() == 3
                        ? x -> x.compareTo(key) >= 0 && x.compareTo(w.get(2)) < 0
                        : prefix ? x -> x.startsWith(key) : key::equals;
                return get(k, via, inRange, keysOnly, json, hex, limit);
            }
            default:
                return Outcome.error("Error: unknown command \"" + w.get(0) + "\" (SIMULATED etcdctl)");
        }
    }

    /** {@code --cluster} asks the members' client URLs: an unstarted member has none, so it is not asked. */
    private static List<SimulationState.Member> withClientUrls(SimulationState s) {
        return s.kube.members.stream().filter(m -> !m.clientUrl.isEmpty()).toList();
    }

    /**
     * {@code get <key> [range_end] [--prefix] [--keys-only] [--limit=n] [-w json]}: the text form prints key and value
     * lines; JSON is etcd's RangeResponse (keys and values base64, {@code kvs} left out when nothing matched and
     * {@code more} when false, as etcd's JSON printer does; {@code count} is every key in the range, not only the
     * {@code limit} returned). Keys in byte order, as etcd returns them (the simulated keys are ASCII).
     */
    private static Outcome get(SimulationState.Kube k, SimulationState.Member via,
            java.util.function.Predicate<String> inRange, boolean keysOnly, boolean json, boolean hex, int limit) {
        List<Map.Entry<String, String>> all = k.keyValues.entrySet().stream().filter(e -> inRange.test(e.getKey()))
                .toList();
        List<Map.Entry<String, String>> kvs = limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
        if (!json) {
            StringBuilder text = new StringBuilder();
            kvs.forEach(e -> text.append(e.getKey()).append('\n').append(keysOnly ? "" : e.getValue()).append('\n'));
            return Outcome.ok(text.toString().strip());
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("header", header(k, via, hex));
        List<Object> items = new ArrayList<>();
        for (Map.Entry<String, String> e : kvs) {
            Map<String, Object> kv = new LinkedHashMap<>();
            kv.put("key", b64.encodeToString(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            kv.put("create_revision", k.revision);
            kv.put("mod_revision", k.revision);
            kv.put("version", 1);
            kv.put("value", keysOnly ? "" : b64.encodeToString(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            items.add(kv);
        }
        if (!items.isEmpty()) {
            out.put("kvs", items);
        }
        if (kvs.size() < all.size()) {
            out.put("more", true);
        }
        out.put("count", all.size());
        return Outcome.ok(write(out));
    }

    private static Outcome health(SimulationState s, List<SimulationState.Member> targets, boolean json,
            boolean quorum) {
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
        return allHealthy ? Outcome.ok(body) : new Outcome(body, "Error: unhealthy cluster", 1);
    }

    private static Outcome status(SimulationState s, List<SimulationState.Member> targets, boolean hex,
            boolean quorum) {
        SimulationState.Kube k = s.kube;
        List<Object> out = new ArrayList<>();
        for (SimulationState.Member m : targets) {
            if (!ClusterAccess.memberRunning(s, m)) {
                continue; // etcdctl prints a "Failed to get the status of endpoint" warning and goes on
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("header", header(k, m, hex));
            status.put("version", s.etcdVersion);
            status.put("dbSize", 4_915_200);
            status.put("leader", EtcdIds.json(quorum ? k.leaderId : "0", hex));
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
        return Outcome.ok(write(out));
    }

    static Map<String, Object> header(SimulationState.Kube k, SimulationState.Member m, boolean hex) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("cluster_id", EtcdIds.json(k.etcdClusterId, hex));
        h.put("member_id", EtcdIds.json(m.id, hex));
        h.put("revision", k.revision);
        h.put("raft_term", k.raftTerm);
        return h;
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

    /** See {@link EtcdMembers#addDeadMember}: for tests of what a corrupting race leaves behind. */
    public static void addDeadMember(SimulationState s, String name, String peerUrl) {
        EtcdMembers.addDeadMember(s, name, peerUrl);
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
