package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.SimulationState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SIMULATED {@code etcdctl member list|remove|promote}, with the output of the fleet's etcd version. */
final class EtcdMembers {
    private static final String TIMED_OUT = "Error: etcdserver: request timed out";

    private EtcdMembers() {}

    /** {@code w} starts with "member"; the ID argument was already checked ({@link EtcdIds#parse}). */
    static Etcdctl.Outcome run(SimulationState s, SimulationState.Member via, List<String> w, boolean json,
            boolean hex, boolean quorum) {
        String sub = w.size() > 1 ? w.get(1) : "";
        if (!List.of("list", "remove", "promote").contains(sub)) {
            return Etcdctl.Outcome.error("Error: unknown command \"" + sub + "\" for \"etcdctl member\" "
                    + "(SIMULATED etcdctl)");
        }
        if (!quorum) {
            return Etcdctl.Outcome.error(TIMED_OUT);
        }
        return switch (sub) {
            case "list" -> list(s, via, json, hex);
            case "remove" -> remove(s, EtcdIds.parse(w.get(2)).stored());
            default -> promote(s, EtcdIds.parse(w.get(2)).stored());
        };
    }

    private static Etcdctl.Outcome list(SimulationState s, SimulationState.Member via, boolean json, boolean hex) {
        SimulationState.Kube k = s.kube;
        if (!json) {
            StringBuilder sb = new StringBuilder();
            for (SimulationState.Member m : k.members) {
                boolean started = started(s, m);
                sb.append(EtcdIds.hex(m.id)).append(started ? ", started, " : ", unstarted, ")
                        .append(started ? m.name : "").append(", ").append(m.peerUrl).append(", ")
                        .append(started ? m.clientUrl : "").append(", ").append(m.learner).append('\n');
            }
            return Etcdctl.Outcome.ok(sb.toString().strip());
        }
        List<Object> members = new ArrayList<>();
        for (SimulationState.Member m : k.members) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("ID", EtcdIds.json(m.id, hex));
            boolean started = started(s, m);
            o.put("name", started ? m.name : "");
            o.put("peerURLs", List.of(m.peerUrl));
            o.put("clientURLs", started ? List.of(m.clientUrl) : List.of());
            if (m.learner) {
                o.put("isLearner", true);
            }
            members.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("header", Etcdctl.header(k, via, hex));
        out.put("members", members);
        return Etcdctl.Outcome.ok(Etcdctl.write(out));
    }

    /** A member that never ran has no name and no client URLs yet (a learner added but not started). */
    private static boolean started(SimulationState s, SimulationState.Member m) {
        return ClusterAccess.memberRunning(s, m) || !m.learner;
    }

    private static Etcdctl.Outcome remove(SimulationState s, String id) {
        SimulationState.Kube k = s.kube;
        Optional<SimulationState.Member> m = k.members.stream().filter(x -> x.id.equals(id)).findFirst();
        if (m.isEmpty()) {
            return Etcdctl.Outcome.error("Error: etcdserver: member not found");
        }
        k.members.remove(m.get());
        k.history.add("member remove " + m.get().name + " (etcdctl)");
        k.raftTerm++;
        ClusterAccess.electLeader(s);
        return Etcdctl.Outcome.ok("Member " + EtcdIds.padded(id) + " removed from cluster "
                + EtcdIds.padded(k.etcdClusterId));
    }

    private static Etcdctl.Outcome promote(SimulationState s, String id) {
        SimulationState.Kube k = s.kube;
        Optional<SimulationState.Member> m = k.members.stream().filter(x -> x.id.equals(id)).findFirst();
        if (m.isEmpty()) {
            return Etcdctl.Outcome.error("Error: etcdserver: member not found");
        }
        if (!m.get().learner) {
            return Etcdctl.Outcome.error("Error: etcdserver: can only promote a learner member");
        }
        if (!ClusterAccess.memberRunning(s, m.get())) {
            return Etcdctl.Outcome.error("Error: etcdserver: can only promote a learner member which is in sync "
                    + "with leader");
        }
        m.get().learner = false;
        k.history.add("member promote " + m.get().name + " (etcdctl)");
        return Etcdctl.Outcome.ok("Member " + EtcdIds.padded(id) + " promoted in cluster "
                + EtcdIds.padded(k.etcdClusterId));
    }
}
