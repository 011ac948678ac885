package io.epiphany.kubeadm.engine;

import io.epiphany.api.PlannedStep;
import java.util.List;

/**
 * One phase of an apply, in the spirit of k0sctl's {@code phase/}: a title, the steps it would take given the facts
 * (its dry run; empty means it is skipped), and running them.
 */
interface Phase {
    String title();

    /** The changes this phase would make, from the facts alone. */
    List<PlannedStep> plan(Context context);

    /** Makes the changes; called only when {@link #plan} was not empty. */
    void run(Context context);
}
