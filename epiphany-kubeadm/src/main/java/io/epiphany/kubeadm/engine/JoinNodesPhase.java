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
    public List<PlannedStep> plan(Context ctx) {
        List<PlannedStep> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.nodes()) {
            if (ctx.facts.node(m.hostname()).isEmpty()) {
                steps.add(new PlannedStep(title(), m.hostname(), (ctx.facts.host(m).kubeletConf()
                        ? "kubeadm reset -f (an earlier join stopped half-way), " : "")
                        + "kubeadm join through " + ctx.cluster.loadBalancer().endpoint(), null));
            }
        }
        return steps;
    }

    @Override
    public void run(Context ctx) {
        Joining.ensureCredentials(ctx, title());
        var outcomes = Parallel.map(plan(ctx), ctx.cluster.ssh().concurrency(), s -> {
            Machine m = ctx.cluster.machine(s.host()).orElseThrow();
            ctx.step(s, () -> Joining.join(ctx, m));
            return m;
        });
        Phases.throwFirstFailure(outcomes);
    }
}
