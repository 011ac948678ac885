package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import java.util.ArrayList;
import java.util.List;

/** Joins the nodes that are not registered yet, in parallel (bounded), each through its own load balancer. */
final class JoinNodesPhase implements Phase {
    @Override
    public String title() {
        return "Join nodes";
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.nodes()) {
            if (ctx.facts.node(m.hostname()).isEmpty()) {
                steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.JOIN,
                        (ctx.facts.host(m).kubeletConf() ? "kubeadm reset -f (an earlier join stopped half-way), " : "")
                                + "kubeadm join through " + ctx.cluster.loadBalancer().endpoint(), null), () -> {
                                    Joining.ensureCredentials(ctx, title());
                                    Joining.join(ctx, m);
                                }));
            }
        }
        return Work.inParallel(steps);
    }
}
