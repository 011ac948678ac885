package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Nodes the cluster reports that the description no longer has: drained (grace period, timeout), reset, and their
 * Node deleted, in parallel. An unreachable node is only deleted from the API with the force option, and the plan says
 * the machine itself was not cleaned.
 */
final class RemoveNodesPhase implements Phase {
    @Override
    public String title() {
        return "Remove nodes";
    }

    static List<Machine> toRemove(Context ctx) {
        return ctx.facts.retired().stream().filter(m -> !ctx.facts.retiredMaster(m)).toList();
    }

    @Override
    public List<PlannedStep> plan(Context ctx) {
        List<PlannedStep> steps = new ArrayList<>();
        for (Machine m : toRemove(ctx)) {
            HostFacts f = ctx.facts.host(m);
            if (f.reachable()) {
                steps.add(new PlannedStep(title(), m.hostname(), "drain, kubeadm reset -f, stop its haproxy, delete "
                        + "its Node", null));
            } else if (ctx.options.forceRemoveUnreachable()) {
                steps.add(new PlannedStep(title(), m.hostname(), "unreachable: drain and delete its Node (the machine "
                        + "itself is NOT cleaned; run kubeadm reset -f on it before reusing it)", null));
            } else {
                throw new ApplyException(title(), m.hostname(), "node " + m.hostname() + " is no longer described but "
                        + "cannot be reached (" + f.unreachable().orElse("") + "); to delete it from the cluster "
                        + "without cleaning the machine, apply with ApplyOptions.forceRemoveUnreachable(true)",
                        List.of(), List.of("everything: no host was changed"), null);
            }
        }
        return steps;
    }

    @Override
    public void run(Context ctx) {
        Machine source = ctx.requireSource(title());
        var outcomes = Parallel.map(plan(ctx), ctx.cluster.ssh().concurrency(), s -> {
            Machine m = toRemove(ctx).stream().filter(x -> x.hostname().equals(s.host())).findFirst().orElseThrow();
            ctx.step(s, () -> {
                Removal.drain(ctx, source, m);
                if (ctx.facts.host(m).reachable()) {
                    ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow();
                    Removal.cleanHost(ctx, m, false);
                }
                Removal.deleteNode(ctx, source, m);
            });
            return m;
        });
        Phases.throwFirstFailure(outcomes);
    }
}
