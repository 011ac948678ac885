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

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.facts.retired().stream().filter(m -> !ctx.facts.retiredMaster(m)).toList()) {
            HostFacts f = ctx.facts.host(m);
            String action;
            if (f.reachable()) {
                action = "drain, kubeadm reset -f, stop its haproxy, delete its Node";
            } else if (ctx.options.forceRemoveUnreachable()) {
                action = "unreachable: drain and delete its Node (the machine itself is NOT cleaned; run kubeadm "
                        + "reset -f on it before reusing it)";
            } else {
                throw new ApplyException(title(), m.hostname(), "node " + m.hostname() + " is no longer described but "
                        + "cannot be reached (" + f.unreachable().orElse("") + "); to delete it from the cluster "
                        + "without cleaning the machine, apply with ApplyOptions.forceRemoveUnreachable(true)",
                        List.of(), List.of("everything: no host was changed"), null);
            }
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.REMOVE, action, null), () -> {
                Machine source = ctx.requireSource(title());
                Removal.drain(ctx, source, m);
                if (f.reachable()) {
                    ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow();
                    Removal.cleanHost(ctx, m, false);
                }
                Removal.deleteNode(ctx, source, m);
            }));
        }
        return Work.inParallel(steps);
    }
}
