package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line as its own process, as a user runs it: its standard output a pseudo-terminal made by util-linux
 * {@code script} (a bar redrawn in place, colours unless NO_COLOR) or a pipe (no escape codes). The terminal is
 * detected by the JVM itself here, not told to it; what a pipe gets from a whole apply is in
 * {@link SimulatedCommandsTest} (its streams are not a terminal either). The pseudo-terminal runs are skipped when
 * {@code script} is not installed.
 */
class TerminalProcessTest {
    private static final String ESC = "\u001b";

    @Test
    void onAPseudoTerminalApplyDrawsABarInColour() throws Exception {
        Result run = run(true, Map.of("COLUMNS", "200"), "apply", "-f", HelpAndUsageTest.SMALL, "--simulated");

        assertThat(run.code).as(run.out).isZero();
        assertThat(run.out).contains("\r" + ESC + "[2K[", "hosts done", ESC + "[32mok  " + ESC + "[0m",
                ESC + "[1m==> Initialise control plane" + ESC + "[0m", "Re-apply: no changes");
    }

    @Test
    void helpIsInColourOnlyOnAPseudoTerminalWithoutNoColor() throws Exception {
        Result coloured = run(true, Map.of(), "plan", "--help");
        Result plain = run(true, Map.of("NO_COLOR", "1"), "plan", "--help");
        Result piped = run(false, Map.of(), "plan", "--help");

        assertThat(coloured.code).isZero();
        assertThat(coloured.out).contains("Usage:", ESC + "[");
        assertThat(plain.code).isZero();
        assertThat(plain.out).contains("Usage: epiphany plan").doesNotContain(ESC);
        assertThat(piped.code).isZero();
        assertThat(piped.out).contains("Usage: epiphany plan").doesNotContain(ESC);
    }

    private record Result(int code, String out) { }

    private static Result run(boolean pseudoTerminal, Map<String, String> env, String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        java.addAll(List.of(args));
        List<String> command = java;
        if (pseudoTerminal) {
            assumeThat(onPath("script")).as("util-linux script is installed").isTrue();
            // script -q: no "Script started" banner; -e: its exit code is the command's; the log file is not wanted
            command = List.of("script", "-qec", java.stream().map(TerminalProcessTest::quote)
                    .collect(Collectors.joining(" ")), "/dev/null");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("NO_COLOR");
        pb.environment().put("TERM", "xterm");
        pb.environment().putAll(env);
        Path output = Files.createTempFile("epiphany-cli", ".out");
        try {
            Process p = pb.redirectOutput(output.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the command did not end in 180 s: " + Files.readString(output));
            }
            return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static boolean onPath(String program) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
