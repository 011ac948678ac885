package io.epiphany.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Faults injected into one SIMULATED host. Each setter takes effect for the next connection or command; {@link
 * #clear()} removes them all.
 */
public final class HostFaults {
    /** A command (prefix of its words joined by spaces, after {@code sudo}/{@code sh -c}) that fails. */
    public record FailingCommand(String prefix, int exitCode, String stderr) {
        public FailingCommand {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(stderr, "stderr");
        }
    }

    private final Runnable reachabilityChanged;
    private volatile boolean unreachable;
    private volatile int dropAfterCommands = -1;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean diskFull;
    private final List<FailingCommand> failing = new CopyOnWriteArrayList<>();

    HostFaults(Runnable reachabilityChanged) {
        this.reachabilityChanged = reachabilityChanged;
    }

    /** The host refuses SSH connections (its port is closed) and drops the open ones; false re-opens it. */
    public HostFaults unreachable(boolean value) {
        this.unreachable = value;
        reachabilityChanged.run();
        return this;
    }

    /**
     * After {@code commands} more commands complete, the next one drops its connection without an exit status.
     * One-shot: after the drop the host behaves again, so a client's reconnect can be tested.
     */
    public HostFaults dropConnectionAfter(int commands) {
        if (commands < 0) {
            throw new IllegalArgumentException("commands must be >= 0, was " + commands);
        }
        this.dropAfterCommands = commands;
        return this;
    }

    /** Every command starting with {@code prefix} exits with {@code exitCode} and prints {@code stderr}. */
    public HostFaults failCommand(String prefix, int exitCode, String stderr) {
        failing.add(new FailingCommand(prefix, exitCode, stderr));
        return this;
    }

    /** Each command waits this long before it runs. */
    public HostFaults delay(Duration value) {
        this.delay = Objects.requireNonNull(value, "value");
        return this;
    }

    /** Writes fail with "No space left on device" (SFTP writes, {@code mkdir}, {@code mv}, kubeadm's files). */
    public HostFaults diskFull(boolean value) {
        this.diskFull = value;
        return this;
    }

    /** Removes every fault. */
    public HostFaults clear() {
        failing.clear();
        delay = Duration.ZERO;
        diskFull = false;
        dropAfterCommands = -1;
        return unreachable(false);
    }

    public boolean isUnreachable() {
        return unreachable;
    }

    public boolean isDiskFull() {
        return diskFull;
    }

    public Duration delay() {
        return delay;
    }

    /** The failure configured for these command words, if any. */
    public Optional<FailingCommand> failureFor(List<String> words) {
        String line = String.join(" ", words);
        return failing.stream().filter(f -> line.startsWith(f.prefix())).findFirst();
    }

    /** Counts one command against the drop fault; true when this command must drop its connection. */
    synchronized boolean takeDrop() {
        if (dropAfterCommands < 0) {
            return false;
        }
        if (dropAfterCommands == 0) {
            dropAfterCommands = -1;
            return true;
        }
        dropAfterCommands--;
        return false;
    }
}
