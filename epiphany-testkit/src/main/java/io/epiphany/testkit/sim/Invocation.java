package io.epiphany.testkit.sim;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * One run of a SIMULATED program: its name and arguments, its streams, the host it runs on, the user it runs as
 * ({@code root} under {@code sudo}) and the SSH login user (the host's one account besides root).
 */
public record Invocation(String name, List<String> args, InputStream stdin, PrintStream out, PrintStream err,
        HostContext host, String user, String login) {
    public Invocation {
        args = List.copyOf(args);
    }

    /** Whether the program runs as root. */
    public boolean root() {
        return "root".equals(user);
    }

    /** Prints {@code name: message} to stderr, as coreutils do, and returns {@code code}. */
    public int fail(int code, String message) {
        err.println(name + ": " + message);
        return code;
    }
}
