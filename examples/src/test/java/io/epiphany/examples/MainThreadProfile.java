package io.epiphany.examples;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the thread running {@code apply()} (the engine's own thread; phases run there one after another) is doing,
 * sampled every 5 ms from its stack: sleeping between polls (engine.Poll), waiting for a parallel fan-out
 * over hosts, waiting for one remote command (an SSH round trip plus the simulated command), or running SDK code.
 */
final class MainThreadProfile {
    private static final long PERIOD_MILLIS = 5;
    private static final int POLL_SLEEP = 0;
    private static final int FAN_OUT = 1;
    private static final int REMOTE = 2;
    private static final int RUNNING = 3;

    /** Share of the sampled wall time per activity, in percent. */
    record Split(double pollSleep, double fanOut, double remote, double running, long samples) {
        @Override
        public String toString() {
            return String.format("%.0f%% poll sleeps, %.0f%% waiting for a fan-out over hosts, %.0f%% waiting "
                    + "for one host's command, %.0f%% running SDK code (%d samples)", pollSleep, fanOut, remote,
                    running, samples);
        }
    }

    private final Thread target;
    private final AtomicLongArray counts = new AtomicLongArray(4);
    private final PeriodicSampler sampler;

    private MainThreadProfile(Thread target) {
        this.target = target;
        sampler = PeriodicSampler.every(PERIOD_MILLIS, "benchmark-main-sampler",
                () -> counts.incrementAndGet(classify(target.getStackTrace(), target.getState())));
    }

    static MainThreadProfile start(Thread target) {
        return new MainThreadProfile(target);
    }

    Split stop() {
        sampler.stop();
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        double t = Math.max(1, total);
        return new Split(100 * counts.get(POLL_SLEEP) / t, 100 * counts.get(FAN_OUT) / t, 100 * counts.get(REMOTE) / t,
                100 * counts.get(RUNNING) / t, total);
    }

    private static int classify(StackTraceElement[] stack, Thread.State state) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().endsWith("engine.Poll") || f.getClassName().endsWith("engine.Etcd")
                    && f.getMethodName().equals("sleep")) {
                return POLL_SLEEP;
            }
            if (f.getClassName().endsWith("engine.Parallel")) {
                return FAN_OUT;
            }
        }
        return state == Thread.State.RUNNABLE ? RUNNING : REMOTE;
    }
}
