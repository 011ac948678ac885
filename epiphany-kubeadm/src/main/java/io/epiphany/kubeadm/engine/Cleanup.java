package io.epiphany.kubeadm.engine;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clean-up that must happen even when the thread was interrupted (a secret file removed, the cluster lock released):
 * with the interrupt flag set every remote command would be cancelled before it starts, so the flag is cleared for
 * the clean-up's few commands and set again after it, and the interruption still reaches the caller.
 */
final class Cleanup {
    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private Cleanup() {}

    /** Runs {@code body} with the interrupt flag cleared, then restores it (also if {@code body} interrupted). */
    static <T> T uninterrupted(Supplier<T> body) {
        boolean interrupted = Thread.interrupted();
        try {
            return body.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code body} uninterrupted; a failure is logged, never thrown, so it cannot hide the failure being cleaned
     * up after (messages of remote failures are redacted).
     */
    static void run(String what, Runnable body) {
        try {
            uninterrupted(() -> {
                body.run();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not {}: {}", what, e.getMessage());
        }
    }
}
