package io.epiphany.kubeadm.engine;

/**
 * One phase of a verb, in the spirit of k0sctl's {@code phase/}: it selects its work once from the facts
 * ({@link #prepare}); the plan shows exactly those steps and the run executes exactly those. A new capability is one
 * fact, one phase, one entry in {@link Provisioner#phases()}.
 */
interface Phase {
    String title();

    /** The steps this phase takes given the facts (empty: nothing to do); a refusal is thrown from here. */
    Work prepare(Context context);
}
