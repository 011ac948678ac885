package io.epiphany.kubeadm.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * Runs a multi-step action per host on a bounded pool: threads = min(concurrency, hosts), never one per host beyond
 * that. Every host's outcome is collected; the caller decides whether one failure fails the phase. An {@link Error}
 * is the SDK's own and no host's outcome: it is thrown as it is.
 */
final class Parallel {
    private Parallel() {}

    /** One host's outcome: a value or the exception that stopped it. */
    record Outcome<T, R>(T item, R value, RuntimeException error) {
        boolean ok() {
            return error == null;
        }
    }

    /** After every host was attempted: the first failure, if any, is thrown. */
    static void throwFirstFailure(List<? extends Outcome<?, ?>> outcomes) {
        for (var o : outcomes) {
            if (!o.ok()) {
                throw o.error();
            }
        }
    }

    static <T, R> List<Outcome<T, R>> map(List<T> items, int concurrency, Function<T, R> action) {
        List<Outcome<T, R>> out = new ArrayList<>();
        if (items.isEmpty()) {
            return out;
        }
        int threads = Math.max(1, Math.min(concurrency, items.size()));
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "epiphany-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        var context = MDC.getCopyOfContextMap();
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    if (context != null) {
                        MDC.setContextMap(context);
                    }
                    try {
                        return action.apply(item);
                    } finally {
                        MDC.clear();
                    }
                }));
            }
            for (int i = 0; i < items.size(); i++) {
                try {
                    out.add(new Outcome<>(items.get(i), futures.get(i).get(), null));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        // a NoSuchMethodError (mixed SDK versions on the class path), an OutOfMemoryError: no host's
                        // outcome, and never to be reported as one (such as "unreachable"); the pool stops below
                        throw error;
                    }
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                    out.add(new Outcome<>(items.get(i), null, cause));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for hosts", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
