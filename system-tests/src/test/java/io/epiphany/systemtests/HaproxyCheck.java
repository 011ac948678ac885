package io.epiphany.systemtests;

import io.epiphany.systemtests.fleet.ProcessRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Validates an HAProxy configuration with the real {@code haproxy -c -f}, as the SDK does on a host before a reload.
 * Needs the {@code haproxy} binary (Debian package {@code haproxy}), not root.
 *
 * <pre>{@code HaproxyCheck.Report report = HaproxyCheck.check(renderedConfig);
 * assertThat(report.errors()).isEmpty();}</pre>
 */
public final class HaproxyCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What {@code haproxy -c} said: valid or not, its ALERT lines (errors) and WARNING lines, and its full output. */
    public record Report(boolean valid, List<String> errors, List<String> warnings, String output) {
    }

    private HaproxyCheck() {
    }

    /** Checks a configuration given as text (written to a temporary file that is deleted afterwards). */
    public static Report check(String config) {
        try {
            Path file = Files.createTempFile("haproxy-check-", ".cfg");
            try {
                Files.writeString(file, config, StandardCharsets.UTF_8);
                return check(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary haproxy config", e);
        }
    }

    /** Checks a configuration file. */
    public static Report check(Path file) {
        ProcessRun.Result result = ProcessRun.run(TIMEOUT, List.of(binary(), "-c", "-f", file.toString()));
        String output = result.stdout() + result.stderr();
        List<String> lines = output.lines().toList();
        List<String> errors = lines.stream().filter(l -> l.contains("[ALERT]")).toList();
        List<String> warnings = lines.stream().filter(l -> l.contains("[WARNING]")).toList();
        if (!result.ok() && errors.isEmpty()) {
            errors = List.of("haproxy -c exited " + result.exitCode() + ": " + output.strip());
        }
        return new Report(result.ok(), errors, warnings, output);
    }

    /** Whether the real {@code haproxy} is installed here (tests use it in a JUnit assumption). */
    public static boolean available() {
        return Files.isExecutable(Path.of(binary()));
    }

    private static String binary() {
        return Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
    }
}
