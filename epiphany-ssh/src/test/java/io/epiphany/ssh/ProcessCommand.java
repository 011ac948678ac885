package io.epiphany.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Test server command: runs the exec line with the local {@code sh -c} (present on any Linux JDK machine), wiring
 * stdin, stdout and stderr apart and reporting the real exit code. Counts commands running at once.
 */
final class ProcessCommand implements Command {
    private final String line;
    private final AtomicInteger running;
    private final AtomicInteger maxRunning;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    ProcessCommand(String line, AtomicInteger running, AtomicInteger maxRunning) {
        this.line = line;
        this.running = running;
        this.maxRunning = maxRunning;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        process = new ProcessBuilder("sh", "-c", line).start();
        Thread stdin = pump(in, process.getOutputStream(), true);
        Thread stdout = pump(process.getInputStream(), out, false);
        Thread stderr = pump(process.getErrorStream(), err, false);
        Thread waiter = new Thread(() -> {
            int code;
            try {
                // A channel closed by the client (cancel, timeout) ends the process, like a dropped session would.
                while (!process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (channel.isClosing() || !channel.isOpen()) {
                        destroy(channel);
                    }
                }
                code = process.exitValue();
                stdout.join();
                stderr.join();
            } catch (InterruptedException e) {
                code = 130;
            }
            stdin.interrupt();
            running.decrementAndGet();
            exit.onExit(code);
        }, "test-cmd-wait");
        waiter.setDaemon(true);
        waiter.start();
    }

    private static Thread pump(InputStream from, OutputStream to, boolean closeTarget) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the channel or the process went away: nothing more to copy
            } finally {
                if (closeTarget) {
                    try {
                        to.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }
        }, "test-cmd-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
