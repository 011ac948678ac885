package io.epiphany.cli;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the command line writes, and what that place can show: a live bar only on a terminal, colours only on a
 * terminal and never when {@code NO_COLOR} is set to anything but the empty string (see no-color.org).
 *
 * @param out      standard output: results, progress
 * @param err      standard error: failures, and notes when standard output carries a file or JSON
 * @param terminal whether standard output is a terminal (a bar is redrawn in place) or a pipe/file (plain lines)
 * @param colour   whether ANSI colours may be written
 * @param width    columns of the terminal ({@code COLUMNS}, else {@code stty size}, else 80); the bar is cut to fit so
 *                 that a carriage return redraws it in place
 */
record Terminal(PrintStream out, PrintStream err, boolean terminal, boolean colour, int width) {
    private static final int DEFAULT_WIDTH = 80;

    /** The process's own streams, with the terminal detected and the environment read. */
    static Terminal system() {
        boolean terminal = stdoutIsTerminal();
        Map<String, String> env = new HashMap<>(System.getenv());
        if (terminal && !env.containsKey("COLUMNS")) {
            // shells rarely export COLUMNS; the terminal itself knows its width
            sttyColumns().ifPresent(c -> env.put("COLUMNS", c));
        }
        return of(System.out, System.err, terminal, env);
    }

    /** Streams and a terminal flag as given; colour and width from the environment as {@link #system()} reads it. */
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

    /** {@code stty size} on the controlling terminal ("rows columns"), within a second, or nothing. */
    private static Optional<String> sttyColumns() {
        File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            String[] size = printed.trim().split("\\s+");
            return p.exitValue() == 0 && size.length == 2 ? Optional.of(size[1]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
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
