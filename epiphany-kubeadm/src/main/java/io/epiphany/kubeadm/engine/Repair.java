package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings back what stopped on a described machine, before any other control-plane change (a join needs every member
 * healthy): a stopped kubelet is started; on a master whose etcd member does not serve while the kubelet runs, the
 * kubelet is restarted, which restarts its static pods. Masters one at a time, each verified (its API server ready,
 * every etcd member healthy) before the next; a node is verified by its Node turning Ready.
 */
final class Repair implements Phase {
    @Override
    public String title() {
        return "Repair";
    }

    /** What is wrong on the machine that a kubelet start or restart can mend, if anything. */
    static Optional<String> problem(Context ctx, Machine m) {
        HostFacts f = ctx.facts.host(m);
        if (!f.reachable() || !f.member()) {
            return Optional.empty();
        }
        if (!f.isActive("kubelet")) {
            return Optional.of("the kubelet is stopped" + (ctx.cluster.isMaster(m) ? " (so are its API server and "
                    + "etcd member)" : ""));
        }
        if (ctx.cluster.isMaster(m) && ctx.facts.joinedMaster(m)) {
            Optional<EtcdMember> e = ctx.facts.member(m);
            if (e.isPresent() && !e.get().serving()) {
                return Optional.of("its etcd member is not healthy"
                        + (f.controlPlane().map(ControlPlaneFacts::etcdRunning).orElse(false) ? ""
                                : " (no etcd container runs)"));
            }
        }
        return Optional.empty();
    }

    static boolean canRepair(Context ctx, Machine m) {
        return problem(ctx, m).isPresent();
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            Optional<String> problem = problem(ctx, m);
            if (problem.isEmpty()) {
                continue;
            }
            boolean stopped = !ctx.facts.host(m).isActive("kubelet");
            boolean master = ctx.cluster.isMaster(m);
            String verb = stopped ? "start" : "restart";
            String action = problem.get() + ": " + verb + " the kubelet; wait until "
                    + (master ? "its API server is ready and every etcd member is healthy" : "its Node is Ready");
            PlannedStep planned = PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.REPAIR, action, null);
            steps.add(new Step(planned, () -> {
                ctx.host(m).run(HostCommands.kubelet(verb)).orThrow();
                String after = "the kubelet was " + (stopped ? "started" : "restarted");
                if (master) {
                    Health.awaitMaster(ctx, title(), m, after + "; if its etcd member stays unhealthy, replace this "
                            + "master: drop it from the description and add another");
                }
                Health.awaitNodeReady(ctx, title(), m, after);
            }));
        }
        return Work.inOrder(steps);
    }
}
