package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import java.util.List;
import java.util.Optional;

/**
 * The health gates of control-plane changes: a master counts as healthy when its own API server answers
 * {@code /readyz} and etcd reports every member serving. Waits are bounded by the apply's health timeout.
 */
final class Health {
    private Health() {}

    /** Why the control plane is not healthy now (empty when it is): every member serving, the master's /readyz. */
    static Optional<String> masterProblem(Context ctx, String phase, Machine m) {
        List<EtcdMember> members = ctx.liveMembers(phase);
        List<String> unhealthy = members.stream().filter(e -> !e.serving()).map(EtcdMember::label).toList();
        if (!unhealthy.isEmpty()) {
            return Optional.of("etcd members not healthy: " + unhealthy);
        }
        if (members.stream().noneMatch(e -> e.isPeer(m.ip()))) {
            return Optional.of("no etcd member for " + m.hostname());
        }
        CommandResult r = ctx.host(m).run(HostCommands.localReadyz());
        if (!r.ok() || !r.stdout().trim().equals("ok")) {
            return Optional.of("its API server's /readyz answered " + (r.ok() ? "'" + r.stdout().trim() + "'"
                    : "exit " + r.exitCode()));
        }
        return Optional.empty();
    }

    /** Refuses to touch a master unless the control plane is healthy now. */
    static void requireMaster(Context ctx, String phase, Machine m) {
        masterProblem(ctx, phase, m).ifPresent(p -> {
            throw new ApplyException(phase, m.hostname(), "the control plane is not healthy before changing "
                    + m.hostname() + ": " + p + "; the SDK changes one master at a time, each only while every etcd "
                    + "member is healthy", ctx.completed(), ctx.notDone(), null);
        });
    }

    /** Waits until the master's API server is ready and every etcd member serves. */
    static void awaitMaster(Context ctx, String phase, Machine m, String after) {
        Poll poll = new Poll(ctx.options.healthTimeout());
        Optional<String> problem;
        do {
            problem = masterProblem(ctx, phase, m);
            if (problem.isEmpty()) {
                return;
            }
        } while (poll.again());
        throw new ApplyException(phase, m.hostname(), after + ", but the control plane was not healthy within "
                + ctx.options.healthTimeout().toSeconds() + " s: " + problem.get(), ctx.completed(), ctx.notDone(),
                null);
    }

    /** Waits until the machine's Node is Ready; the error quotes the kubelet's condition. */
    static void awaitNodeReady(Context ctx, String phase, Machine m, String after) {
        Machine source = ctx.requireSource(phase);
        Poll poll = new Poll(ctx.options.healthTimeout());
        String last = "no Node " + m.hostname();
        do {
            CommandResult r = ctx.host(source).run(FactsGatherer.NODES);
            if (r.ok()) {
                Optional<NodeInfo> node = FactsGatherer.parseNodes(source, r).stream()
                        .filter(n -> n.name().equals(m.hostname())).findFirst();
                if (node.isPresent() && node.get().ready()) {
                    return;
                }
                last = node.map(NodeInfo::readyMessage).orElse(last);
            }
        } while (poll.again());
        throw new ApplyException(phase, m.hostname(), after + ", but its Node was not Ready within "
                + ctx.options.healthTimeout().toSeconds() + " s: " + last, ctx.completed(), ctx.notDone(), null);
    }

    /** Waits until the machine's member is started, promoted from learner and healthy. */
    static void awaitVotingMember(Context ctx, String phase, Machine m) {
        Poll poll = new Poll(ctx.options.healthTimeout());
        String last = "no member with peer URL https://" + m.ip() + ":2380";
        do {
            for (EtcdMember e : ctx.liveMembers(phase)) {
                if (e.isPeer(m.ip())) {
                    if (e.serving()) {
                        return;
                    }
                    last = "member " + e.idHex() + (e.learner() ? " is still a learner" : "")
                            + (e.healthy() ? "" : " is not healthy");
                }
            }
        } while (poll.again());
        throw new ApplyException(phase, m.hostname(), "kubeadm join finished but the etcd member did not become a "
                + "healthy voting member within " + ctx.options.healthTimeout().toSeconds() + " s: " + last,
                ctx.completed(), ctx.notDone(), null);
    }
}
