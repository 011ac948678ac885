package io.epiphany.cli;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Where the command line writes, and what that place can show: a live bar only on a terminal, colours only on a
 * terminal and never when {@code NO_COLOR} is set to anything but the empty string (see no-color.org).
 *
 * @param out      standard output: results, progress
 * @param err      standard error: failures, and notes when standard output carries a file or JSON
 * @param terminal whether standard output is a terminal (a bar is redrawn in place) or a pipe/file (plain lines)
 * @param colour   whether ANSI colours may be written
 * @param width    columns of the terminal; the bar is cut to fit so that a carriage return redraws it in place
 */
record Terminal(PrintStream out, PrintStream err, boolean terminal, boolean colour, int width) {
    private static final int DEFAULT_WIDTH = 80;

    /** The process's own streams, with the terminal detected and the environment read. */
    static Terminal system() {
        return of(System.out, System.err, stdoutIsTerminal(), System.getenv());
    }

    /** Streams and a terminal flag as given; colour and width from the environment the way {@link #system()} reads it. */
    static Terminal of(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        boolean colour = terminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
        return new Terminal(out, err, terminal, colour, columns(env.get("COLUMNS")));
    }

    private static int columns(String value) {
        try {
            int c = value == null ? DEFAULT_WIDTH : Integer.parseInt(value.trim());
            return c >= 20 ? c : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /**
     * On JDK 17-21 {@link System#console()} is null unless standard input and output are both a terminal; from JDK 22
     * it may be a console on a pipe too, and {@code Console.isTerminal()} (22+) tells, so it is asked when present.
     */
    private static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
