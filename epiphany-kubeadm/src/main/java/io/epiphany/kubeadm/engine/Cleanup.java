package io.epiphany.kubeadm.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Work that must not be cut in half by an interrupt: taking and releasing the cluster lock (a lock directory left
 * without its owner file, or left behind, would lock the next apply out) and removing a secret file. An interrupted
 * thread cancels every remote command it waits for, so the work runs on a thread of its own while the caller waits
 * for it whatever happens; the caller's interrupt flag is set again afterwards, and its next step sees it.
 */
final class Cleanup {
    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private Cleanup() {}

    /** Runs {@code body} to its end, immune to interrupts of the calling thread, whose flag it then restores. */
    static <T> T uninterrupted(Supplier<T> body) {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                result.complete(body.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }, "epiphany-uninterrupted");
        worker.setDaemon(true);
        worker.start();
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
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
