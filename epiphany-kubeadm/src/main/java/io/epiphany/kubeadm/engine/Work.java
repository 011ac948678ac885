package io.epiphany.kubeadm.engine;

import io.epiphany.api.PlannedStep;
import java.util.List;

/** The steps a phase selected and how they run: one after another, or on every host at once (bounded). */
record Work(List<Step> steps, boolean parallel) {
    static Work none() {
        return new Work(List.of(), false);
    }

    static Work inOrder(List<Step> steps) {
        return new Work(List.copyOf(steps), false);
    }

    static Work inParallel(List<Step> steps) {
        return new Work(List.copyOf(steps), true);
    }

    List<PlannedStep> planned() {
        return steps.stream().map(Step::planned).toList();
    }

    /** Runs the steps: in parallel every host is attempted and the first failure is thrown after. */
    void run(Context ctx) {
        if (!parallel) {
            steps.forEach(s -> ctx.step(s.planned(), s.body()));
            return;
        }
        Parallel.throwFirstFailure(Parallel.map(steps, ctx.cluster.ssh().concurrency(), s -> {
            ctx.step(s.planned(), s.body());
            return s;
        }));
    }
}
