package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.SimulationState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SIMULATED {@code etcdctl member list|add|remove|promote}, with the output of the fleet's etcd version. */
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

    /** A member that never ran has no name and no client URLs yet (a learner or a member added but not started). */
    private static boolean started(SimulationState s, SimulationState.Member m) {
        return ClusterAccess.memberRunning(s, m) || (!m.learner && !m.unstarted);
    }

    /**
     * {@code member add <name> --peer-urls=<url> [--learner]}, as etcd 3.5 answers it (etcdctl
     * {@code ctlv3/command/member_command.go}, etcdserver {@code server.go} and {@code errors.go}): the peer URL must
     * be new ("Peer URLs already exists"); a voting member is refused when the started members would not make the
     * new cluster's quorum ({@code --strict-reconfig-check}, on by default: "re-configuration failed due to not
     * enough started members"). The member is unstarted until an etcd with that peer URL starts, which here never
     * happens: no host runs it.
     */
    static Etcdctl.Outcome add(SimulationState s, List<String> w, List<String> args) {
        SimulationState.Kube k = s.kube;
        if (w.size() < 3) {
            return Etcdctl.Outcome.badArgs("Error: member name not provided");
        }
        String url = args.stream().filter(a -> a.startsWith("--peer-urls=")).map(a -> a.substring(12)).findFirst()
                .orElse(Kubeadm.option(args, "--peer-urls").orElse(""));
        if (url.isEmpty()) {
            return Etcdctl.Outcome.badArgs("Error: member peer urls not provided");
        }
        if (!ClusterAccess.quorum(s)) {
            return Etcdctl.Outcome.error(TIMED_OUT);
        }
        if (k.members.stream().anyMatch(m -> m.peerUrl.equals(url))) {
            return Etcdctl.Outcome.error("Error: etcdserver: Peer URLs already exists");
        }
        boolean learner = args.contains("--learner");
        long started = k.members.stream().filter(m -> !m.learner && ClusterAccess.memberRunning(s, m)).count();
        long voters = k.members.stream().filter(m -> !m.learner).count() + (learner ? 0 : 1);
        if (!learner && started < voters / 2 + 1) {
            return Etcdctl.Outcome.error("Error: etcdserver: re-configuration failed due to not enough started "
                    + "members");
        }
        SimulationState.Member m = new SimulationState.Member();
        m.name = w.get(2);
        m.host = "";
        m.peerUrl = url;
        m.clientUrl = "";
        m.learner = learner;
        m.unstarted = true;
        m.id = EtcdIds.newMemberId(k, m);
        k.members.add(m);
        k.history.add("member add " + (learner ? "--learner " : "") + m.name + " (etcdctl, unstarted)");
        k.raftTerm++;
        return Etcdctl.Outcome.ok("Member " + EtcdIds.padded(m.id) + " added to cluster "
                + EtcdIds.padded(k.etcdClusterId) + "\n\nETCD_NAME=\"" + m.name + "\"\nETCD_INITIAL_CLUSTER_STATE=\"existing\"");
    }

    /**
     * SIMULATED corrupting race: a voting member named {@code name} with that peer URL that once started (it is
     * listed with its name) but that no host runs any more, so it never answers.
     */
    static void addDeadMember(SimulationState s, String name, String peerUrl) {
        SimulationState.Member m = new SimulationState.Member();
        m.name = name;
        m.host = "";
        m.peerUrl = peerUrl;
        m.clientUrl = peerUrl.replace(":2380", ":2379");
        m.id = EtcdIds.newMemberId(s.kube, m);
        s.kube.members.add(m);
        s.kube.history.add("member add " + name + " (SIMULATED race, not running)");
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
