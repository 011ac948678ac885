package io.epiphany.testkit.sim;

import java.io.PrintStream;
import java.util.List;
import java.util.OptionalInt;

/**
 * Sees every simple command before it runs (after {@code sudo}/{@code sh -c} are unwrapped): fault injection uses it
 * to make a command fail. Returns the exit code to use instead of running the command, or empty.
 */
@FunctionalInterface
public interface CommandInterceptor {
    CommandInterceptor NONE = (words, err) -> OptionalInt.empty();

    OptionalInt intercept(List<String> words, PrintStream err);

    /**
     * Sees every line a shell process runs ({@code sh -c <line>}: the exec request's line, a line sent on stdin once
     * read, each nested {@code sh -c}), as the host's process list would show it.
     */
    default void shell(String line) {}

    /**
     * The line an exec request runs, once known: the request itself, or for {@code sh -c "$(head -c N)"} the first N
     * bytes of stdin after they are read ({@code null} when they could not be read).
     */
    default void received(String line) {}
}
