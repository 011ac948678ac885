package io.epiphany.api.remote;

import io.epiphany.api.SshSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Runs one asynchronous action on many targets (usually {@link RemoteHost}s) with a bounded number in flight, and
 * gives one {@link Outcome} per target. No thread is created here: the next target starts from the completion of an
 * earlier one, so threads do not grow with the number of targets as long as the action itself is asynchronous (for
 * example {@link RemoteHost#runAsync}).
 *
 * <pre>{@code
 * Map<RemoteHost, FanOut.Outcome<CommandResult>> r =
 *         FanOut.over(hosts).concurrency(100).run(h -> h.runAsync(Command.of("uptime")));
 * }</pre>
 *
 * @param <T> the target type
 */
public final class FanOut<T> {
    private final List<T> targets;
    private final int concurrency;
    private final boolean failFast;

    private FanOut(List<T> targets, int concurrency, boolean failFast) {
        this.targets = targets;
        this.concurrency = concurrency;
        this.failFast = failFast;
    }

    /** A fan-out over {@code targets} (in this order), collecting every outcome, {@link SshSettings#DEFAULT_CONCURRENCY} at once. */
    public static <T> FanOut<T> over(Collection<T> targets) {
        return new FanOut<>(List.copyOf(targets), SshSettings.DEFAULT_CONCURRENCY, false);
    }

    /** At most {@code n} actions in flight. */
    public FanOut<T> concurrency(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + n);
        }
        return new FanOut<>(targets, n, failFast);
    }

    /**
     * Stop at the first failure: targets not yet started are {@link Status#SKIPPED}, actions in flight are cancelled.
     */
    public FanOut<T> failFast() {
        return new FanOut<>(targets, concurrency, true);
    }

    /** Waits for {@link #runAsync}; never throws for a target's failure (see each {@link Outcome}). */
    public <R> Map<T, Outcome<R>> run(Function<? super T, ? extends CompletionStage<R>> action) {
        return runAsync(action).join();
    }

    /** Starts the fan-out; the future completes once every target has an outcome, in the order of the targets. */
    public <R> CompletableFuture<Map<T, Outcome<R>>> runAsync(Function<? super T, ? extends CompletionStage<R>> action) {
        return new Run<R>(Objects.requireNonNull(action, "action")).start();
    }

    /** What happened to one target. */
    public enum Status {
        SUCCEEDED,
        FAILED,
        /** Not started because an earlier target failed in fail-fast mode. */
        SKIPPED
    }

    /**
     * The outcome for one target: its value, or the failure (unwrapped from {@link CompletionException}).
     *
     * @param <R> the value type
     */
    public static final class Outcome<R> {
        private final Status status;
        private final R value;
        private final Throwable failure;

        private Outcome(Status status, R value, Throwable failure) {
            this.status = status;
            this.value = value;
            this.failure = failure;
        }

        public Status status() {
            return status;
        }

        public boolean succeeded() {
            return status == Status.SUCCEEDED;
        }

        public Optional<R> value() {
            return Optional.ofNullable(value);
        }

        public Optional<Throwable> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public String toString() {
            return status == Status.FAILED ? "FAILED: " + failure.getMessage() : status.toString();
        }
    }

    /** The state of one fan-out. A single pump loop starts work; completions only record and re-pump. */
    private final class Run<R> {
        private final Function<? super T, ? extends CompletionStage<R>> action;
        private final AtomicReferenceArray<Outcome<R>> outcomes = new AtomicReferenceArray<>(targets.size());
        private final List<CompletableFuture<R>> inFlight = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        private final AtomicInteger pumpRequests = new AtomicInteger();
        private final CompletableFuture<Map<T, Outcome<R>>> done = new CompletableFuture<>();
        private volatile boolean stopped;
        private int next; // only touched inside the pump loop, which one thread at a time runs

        Run(Function<? super T, ? extends CompletionStage<R>> action) {
            this.action = action;
        }

        CompletableFuture<Map<T, Outcome<R>>> start() {
            if (targets.isEmpty()) {
                done.complete(Map.of());
            }
            pump();
            return done;
        }

        // Work-in-progress counter instead of recursion: an action that completes synchronously re-enters pump(),
        // which then only bumps the counter, so the stack stays flat for any number of targets.
        private void pump() {
            if (pumpRequests.getAndIncrement() != 0) {
                return;
            }
            do {
                while (next < targets.size()) {
                    if (stopped) {
                        int index = next++;
                        settle(index, new Outcome<>(Status.SKIPPED, null, null));
                    } else if (running.get() < concurrency) {
                        launch(next++);
                    } else {
                        break;
                    }
                }
            } while (pumpRequests.decrementAndGet() != 0);
        }

        private void launch(int index) {
            running.incrementAndGet();
            CompletableFuture<R> future;
            try {
                future = action.apply(targets.get(index)).toCompletableFuture();
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<R> tracked = future;
            inFlight.add(tracked);
            tracked.whenComplete((value, error) -> {
                inFlight.remove(tracked);
                running.decrementAndGet();
                if (error == null) {
                    settle(index, new Outcome<>(Status.SUCCEEDED, value, null));
                } else {
                    if (failFast && !stopped) {
                        stopped = true;
                        cancelInFlight();
                    }
                    settle(index, new Outcome<>(Status.FAILED, null, unwrap(error)));
                }
                pump();
            });
        }

        private void cancelInFlight() {
            List<CompletableFuture<R>> copy;
            synchronized (inFlight) {
                copy = new ArrayList<>(inFlight);
            }
            copy.forEach(f -> f.cancel(true));
        }

        private void settle(int index, Outcome<R> outcome) {
            outcomes.set(index, outcome);
            if (settled.incrementAndGet() == targets.size()) {
                Map<T, Outcome<R>> result = new LinkedHashMap<>();
                for (int i = 0; i < targets.size(); i++) {
                    result.put(targets.get(i), outcomes.get(i));
                }
                done.complete(Collections.unmodifiableMap(result));
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
