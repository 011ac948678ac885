package io.epiphany.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;

/**
 * One command on one exec channel, fully asynchronous: open, feed stdin and EOF, collect stdout and stderr apart
 * (bounded, see {@link Output}), complete when the channel closes. A timeout or a cancellation closes the channel.
 * Never {@code executeRemoteCommand}: that fails on any stderr output.
 */
final class ExecCall {
    /** Thrown (as a failure) when the channel could not even be opened: the command never started. */
    static final class NotStarted extends IOException {
        private static final long serialVersionUID = 1L;

        NotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String line;
    private final byte[] stdin;
    private final Duration timeout;
    private final int stdoutCap;
    private final int stderrCap;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<ExecOutcome> result = new CompletableFuture<>();
    private volatile ChannelExec channel;
    private volatile boolean timedOut;

    ExecCall(String line, byte[] stdin, Duration timeout, int stdoutCap, int stderrCap,
            ScheduledExecutorService timer) {
        this.line = line;
        this.stdin = stdin;
        this.timeout = timeout;
        this.stdoutCap = stdoutCap;
        this.stderrCap = stderrCap;
        this.timer = timer;
    }

    CompletableFuture<ExecOutcome> start(ClientSession session) {
        Output out = Output.head(stdoutCap);
        Output err = Output.tail(stderrCap);
        ChannelExec ch;
        try {
            ch = session.createExecChannel(line);
            ch.setOut(out);
            ch.setErr(err);
            channel = ch;
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new NotStarted("cannot open a channel: " + e.getMessage(), e));
            return result;
        }
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            timedOut = true;
            ch.close(true);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ch.addCloseFutureListener(f -> {
            deadline.cancel(false);
            if (timedOut) {
                result.completeExceptionally(new TimeoutException("timed out after " + timeout.toMillis()
                        + " ms; the channel was closed"));
            } else {
                result.complete(new ExecOutcome(ch.getExitStatus(), ch.getExitSignal(), out.bytes(), err.bytes(),
                        out.truncated() || err.truncated()));
            }
        });
        try {
            ch.open().addListener(opened -> {
                if (!opened.isOpened()) {
                    result.completeExceptionally(new NotStarted("channel open refused: "
                            + opened.getException(), opened.getException()));
                    ch.close(true);
                    return;
                }
                sendStdin(ch);
            });
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new NotStarted("cannot open a channel: " + e.getMessage(), e));
            ch.close(true);
        }
        return result;
    }

    /** Closes the channel: the remote command gets EOF/SIGHUP semantics of a dropped SSH channel. */
    void cancel() {
        ChannelExec ch = channel;
        if (ch != null) {
            ch.close(true);
        }
    }

    // A fresh channel's send window (2 MiB on OpenSSH and MINA) is far larger than what we send inline (passwords,
    // config files), so this write does not wait for window adjustments on the I/O thread.
    private void sendStdin(ChannelExec ch) {
        try (OutputStream in = ch.getInvertedIn()) {
            if (stdin.length > 0) {
                in.write(stdin);
                in.flush();
            }
        } catch (IOException e) {
            if (!ch.isClosing()) {
                result.completeExceptionally(new IOException("writing stdin failed: " + e.getMessage(), e));
                ch.close(true);
            }
        }
    }
}
