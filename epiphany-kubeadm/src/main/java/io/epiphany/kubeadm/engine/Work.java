package io.epiphany.kubeadm.engine;

import io.epiphany.api.PlannedStep;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps a phase selected and how they run: stages one after another, the steps of a stage on their hosts at once
 * (bounded by the SSH concurrency). One after another is a stage per step; on every host at once is one stage.
 */
record Work(List<List<Step>> stages) {
    static Work none() {
        return new Work(List.of());
    }

    static Work inOrder(List<Step> steps) {
        return new Work(steps.stream().map(List::of).toList());
    }

    static Work inParallel(List<Step> steps) {
        return new Work(steps.isEmpty() ? List.of() : List.of(List.copyOf(steps)));
    }

    /** Stages in order, each stage's steps at once (an upgrade's batches). */
    static Work inStages(List<List<Step>> stages) {
        return new Work(stages.stream().filter(s -> !s.isEmpty()).map(List::copyOf).toList());
    }

    List<Step> steps() {
        List<Step> all = new ArrayList<>();
        stages.forEach(all::addAll);
        return all;
    }

    List<PlannedStep> planned() {
        return steps().stream().map(Step::planned).toList();
    }

    /** Runs the stages; within a stage every host is attempted and the first failure is thrown after. */
    void run(Context ctx) {
        for (List<Step> stage : stages) {
            if (stage.size() == 1) {
                Step s = stage.get(0);
                ctx.step(s.planned(), s.body());
                continue;
            }
            Parallel.throwFirstFailure(Parallel.map(stage, ctx.cluster.ssh().concurrency(), s -> {
                ctx.step(s.planned(), s.body());
                return s;
            }));
        }
    }
}
