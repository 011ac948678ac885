package io.epiphany.examples;

/** Runs a sampling action every few milliseconds on a daemon thread until stopped: the benchmark profilers' clock. */
final class PeriodicSampler {
    private final Thread thread;
    private volatile boolean running = true;

    private PeriodicSampler(String name, long periodMillis, Runnable sample) {
        thread = new Thread(() -> {
            while (running) {
                sample.run();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    static PeriodicSampler every(long periodMillis, String name, Runnable sample) {
        return new PeriodicSampler(name, periodMillis, sample);
    }

    /** Stops sampling and waits (at most 1 s) for the last sample to finish. */
    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
