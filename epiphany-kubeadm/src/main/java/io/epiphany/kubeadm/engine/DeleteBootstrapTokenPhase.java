package io.epiphany.kubeadm.engine;

import io.epiphany.api.PlannedStep;
import io.epiphany.api.Secret;
import java.util.List;

/**
 * The bootstrap token the SDK used this run (the init token of the rendered InitConfiguration, or the one it created
 * for joins on a running cluster) is deleted once every join is done: {@code kubeadm token delete <id>} on the
 * master the cluster is reached through. Only the token's ID (its public half) is on the command line. Planned
 * whenever the plan initialises the cluster or joins a machine; the last phase, so a failed join keeps the token for
 * the next apply's retry within its TTL.
 */
final class DeleteBootstrapTokenPhase implements Phase {
    static final String TITLE = "Delete bootstrap token";
    private final List<PlannedStep> planned;

    /** {@code planned}: every step planned before this phase. */
    DeleteBootstrapTokenPhase(List<PlannedStep> planned) {
        this.planned = List.copyOf(planned);
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Work prepare(Context ctx) {
        boolean joins = planned.stream().anyMatch(s -> s.kind() == PlannedStep.Kind.INITIALISE
                || s.kind() == PlannedStep.Kind.JOIN);
        if (!joins) {
            return Work.none();
        }
        return Work.inOrder(List.of(new Step(PlannedStep.of(TITLE, Context.CLUSTER, PlannedStep.Kind.CLEANUP,
                "delete the bootstrap token this run's joins used (kubeadm token delete <id>)", null), () -> {
                    Secret token = ctx.token().orElseThrow(() -> new IllegalStateException("no bootstrap token was "
                            + "used"));
                    String id = io.epiphany.kubeadm.render.BootstrapTokenSecret.id(token);
                    ctx.host(ctx.requireSource(TITLE)).run(HostCommands.kubeadm("token", "delete", id)).orThrow();
                })));
    }
}
