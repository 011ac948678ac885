package io.epiphany.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One in-process run of the command line on captured streams, standard output not a terminal (as on a pipe). */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        return with(false, Map.of(), args);
    }

    static CliRun with(boolean terminal, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal term = Terminal.of(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), terminal, env);
        int code = Main.run(term, args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Both streams, for assertion messages. */
    String both() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
