package io.epiphany.systemtests.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a local program to completion within a time bound and keeps what it printed. A program still running at the
 * bound is killed (with its children) and reported as a failure, never as success.
 */
public final class ProcessRun {
    /** Exit code and output of a finished program. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an exception that shows the command, exit code and the end of stderr. */
        public Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited " + exitCode + ": "
                        + tail(stderr.isBlank() ? stdout : stderr));
            }
            return this;
        }

        private static String tail(String text) {
            return text.length() <= 2000 ? text.strip() : "..." + text.substring(text.length() - 2000).strip();
        }
    }

    private ProcessRun() {
    }

    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, Map.of(), command);
    }

    /** Runs with extra environment variables. */
    public static Result run(Duration timeout, Map<String, String> environment, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within "
                        + timeout.toSeconds() + " s and was killed");
            }
            return new Result(List.copyOf(command), process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
        }
    }

    /** A thread of its own per stream: the common pool may have a single thread on 2 cores, which would deadlock. */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "process-output");
        reader.setDaemon(true);
        reader.start();
        return result;
    }
}
