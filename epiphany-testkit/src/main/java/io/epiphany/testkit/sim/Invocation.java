package io.epiphany.testkit.sim;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * One run of a SIMULATED program: its name and arguments, its streams, the host it runs on and whether it runs as
 * root.
 */
public record Invocation(String name, List<String> args, InputStream stdin, PrintStream out, PrintStream err,
        HostContext host, boolean root) {
    public Invocation {
        args = List.copyOf(args);
    }

    /** Prints {@code name: message} to stderr, as coreutils do, and returns {@code code}. */
    public int fail(int code, String message) {
        err.println(name + ": " + message);
        return code;
    }
}
