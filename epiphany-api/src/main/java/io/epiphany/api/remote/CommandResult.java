package io.epiphany.api.remote;

import java.util.Arrays;
import java.util.List;

/**
 * What a command did: its exit code and what it printed (kept apart). Output shown through this type is already
 * redacted of the command's secrets.
 */
public final class CommandResult {
    private final String host;
    private final String command;
    private final int exitCode;
    private final String stdout;
    private final String stderr;
    private final boolean outputTruncated;

    public CommandResult(String host, String command, int exitCode, String stdout, String stderr) {
        this(host, command, exitCode, stdout, stderr, false);
    }

    /**
     * @param outputTruncated the command printed more than the transport keeps in memory: {@link #stdout()} holds the
     *                        beginning of the output and {@link #stderr()} its end
     */
    public CommandResult(String host, String command, int exitCode, String stdout, String stderr,
            boolean outputTruncated) {
        this.host = host;
        this.command = command;
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.outputTruncated = outputTruncated;
    }

    public String host() {
        return host;
    }

    /** The command, redacted. */
    public String command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean ok() {
        return exitCode == 0;
    }

    public String stdout() {
        return stdout;
    }

    public String stderr() {
        return stderr;
    }

    /** True when the output was larger than the transport's cap and only part of it is kept (see the constructor). */
    public boolean outputTruncated() {
        return outputTruncated;
    }

    /** The last {@code n} non-blank lines of stderr, for error messages. */
    public List<String> stderrTail(int n) {
        List<String> lines = Arrays.stream(stderr.split("\\R")).filter(l -> !l.isBlank()).toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /** This result, or a {@link RemoteCommandException} when the exit code is not 0. */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new RemoteCommandException(this);
        }
        return this;
    }

    @Override
    public String toString() {
        return host + ": `" + command + "` exited " + exitCode;
    }
}
