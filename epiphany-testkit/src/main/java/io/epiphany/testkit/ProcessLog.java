package io.epiphany.testkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The SIMULATED host's process list over time: the command line of every process a command started, as {@code ps}
 * shows it to any user of the host (each shell's {@code sh -c <line>} and every program with its arguments, after
 * {@code sudo} and {@code sh -c} are unwrapped). Tests look here for secrets that must never be an argument, and hook
 * in to act when a given program starts (e.g. interrupt the SDK at that point). Keeps the last {@value #LIMIT}.
 */
public final class ProcessLog {
    static final int LIMIT = 50_000;
    private final Deque<String> lines = new ArrayDeque<>();
    private final List<Consumer<List<String>>> hooks = new CopyOnWriteArrayList<>();
    private long dropped;
    private int running; // guarded by this

    ProcessLog() {}

    /** SSH commands running on the host now. */
    public synchronized int running() {
        return running;
    }

    /**
     * Waits until no command runs on the host (one the client stopped waiting for, e.g. after an interrupt, goes on
     * there, as on a real host); false when {@code timeout} passed first.
     */
    public synchronized boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized void commandStarted() {
        running++;
    }

    synchronized void commandEnded() {
        running--;
        notifyAll();
    }

    /** The command lines recorded, oldest first (words joined by spaces). */
    public synchronized List<String> commandLines() {
        return new ArrayList<>(lines);
    }

    /** How many lines were dropped to stay within the limit: a test that scans the log wants 0. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Forgets every line recorded so far. */
    public synchronized void clear() {
        lines.clear();
        dropped = 0;
    }

    /**
     * Calls {@code hook} with a program's words just before it starts, on the host's command thread (so the command
     * runs once the hook returns). Hooks stay until {@link #removeHooks()}.
     */
    public void onProgram(Consumer<List<String>> hook) {
        hooks.add(Objects.requireNonNull(hook, "hook"));
    }

    public void removeHooks() {
        hooks.clear();
    }

    void shell(String line) {
        record("sh -c " + line);
    }

    void program(List<String> words) {
        record(String.join(" ", words));
        hooks.forEach(h -> h.accept(List.copyOf(words)));
    }

    private synchronized void record(String line) {
        if (lines.size() == LIMIT) {
            lines.removeFirst();
            dropped++;
        }
        lines.addLast(line);
    }
}
