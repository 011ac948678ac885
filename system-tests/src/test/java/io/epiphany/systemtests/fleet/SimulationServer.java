package io.epiphany.systemtests.fleet;

import io.epiphany.testkit.sim.SimulatorMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * SIMULATED programs of a real-OS fleet host, resident: one JVM per host (started by fleet.sh through
 * {@code /usr/local/sbin/epiphany-sim} with {@code EPIPHANY_SIM_CLASS} set, so with the same JVM options and
 * simulation properties as a one-call JVM) that serves each call of the fleet's client
 * ({@code system-tests/fleet/sim-client.pl}) by running {@link SimulatorMain#run} with the call's argv and streams.
 * A call costs a connection instead of a JVM start (0.33 CPU-s each). Only root may connect (the socket is 0600 in a
 * 0700 directory, and the peer's credentials are checked): a root server serving a user would read what the user
 * cannot; the client falls back to a JVM of its own for everyone else.
 *
 * <p>The protocol: frames of a type byte, a 4-byte big-endian length and that many bytes. Client to server: one
 * {@code A} (the arguments, each ended by a NUL), then, only when asked, {@code I} (stdin data) or {@code E} (stdin's
 * end). Server to client: {@code O} (stdout data), {@code R} (stderr data), {@code W} (the program reads: send one
 * chunk of stdin), {@code X} (the exit code, 4 bytes, last), or {@code B} as the only frame (not served: the client
 * runs the call itself, nothing has been done). Stdin is lazy because the callers are the SDK's one-exec {@code sh}
 * scripts, whose stdin is the script itself: a program that does not read must leave it to the shell.
 */
public final class SimulationServer {
    static final byte ARGS = 'A';
    static final byte STDIN = 'I';
    static final byte STDIN_END = 'E';
    static final byte STDOUT = 'O';
    static final byte STDERR = 'R';
    static final byte WANT_STDIN = 'W';
    static final byte EXIT = 'X';
    static final byte NOT_SERVED = 'B';
    static final int MAX_ARGS_BYTES = 1 << 20;
    static final int MAX_DATA_BYTES = 1 << 16;
    /** Calls at once; one more is not served (the client starts its own JVM), never queued without bound. */
    static final int THREADS = 32;
    /**
     * A client sends its arguments at once; one that does not within this many seconds (10, or the system property
     * {@code epiphany.sim.server-args-seconds}) is dropped, so that it cannot hold a thread.
     */
    static final long ARGS_SECONDS = Long.getLong("epiphany.sim.server-args-seconds", 10);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-call-watchdog");
        t.setDaemon(true);
        return t;
    });

    private SimulationServer() {}

    /** {@code SimulationServer SOCKET}: listens until the host's PID namespace ends. */
    public static void main(String[] args) throws IOException {
        if (!Boolean.getBoolean("epiphany.sim.real-os") || args.length != 1) {
            System.err.println("usage (real-OS fleet hosts only, through epiphany-sim): SimulationServer SOCKET");
            System.exit(64);
        }
        Path socket = Path.of(args[0]);
        Files.deleteIfExists(socket);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "simulated-call");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket), THREADS);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            log("SIMULATED program server listening on " + socket);
            while (true) {
                SocketChannel call = server.accept();
                try {
                    pool.execute(() -> serve(call));
                } catch (RejectedExecutionException busy) {
                    notServed(call, "all " + THREADS + " threads busy");
                }
            }
        }
    }

    private static void serve(SocketChannel channel) {
        try (Connection c = new Connection(channel)) {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!"root".equals(peer.user().getName())) {
                c.send(NOT_SERVED, new byte[0]); // unreachable through the 0600 socket; never serve a user as root
                return;
            }
            ScheduledFuture<?> drop = WATCHDOG.schedule(c::closeQuietly, ARGS_SECONDS, TimeUnit.SECONDS);
            Frame first;
            try {
                first = c.read(MAX_ARGS_BYTES);
            } finally {
                drop.cancel(false);
            }
            if (first == null || first.type() != ARGS) {
                log("a call without arguments: ignored");
                return;
            }
            int rc;
            try {
                rc = SimulatorMain.run(words(first.data()), new LazyStdin(c), new FrameOutput(c, STDOUT),
                        new FrameOutput(c, STDERR));
            } catch (RuntimeException | Error e) {
                // never the arguments: they may hold a token
                log("a SIMULATED call failed: " + e.getClass().getName());
                c.send(STDERR, ("SIMULATED program server: " + e.getClass().getSimpleName() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                rc = 70;
            }
            c.send(EXIT, ByteBuffer.allocate(4).putInt(rc).array());
        } catch (IOException e) {
            log("a call ended early: " + e); // its client went away (or was dropped), as a broken pipe would end it
        }
    }

    private static void notServed(SocketChannel channel, String why) {
        try (Connection c = new Connection(channel)) {
            c.send(NOT_SERVED, new byte[0]);
            log("a call not served (" + why + "): the client runs it in a JVM of its own");
        } catch (IOException e) {
            log("a call not served, and its client already gone: " + e.getMessage());
        }
    }

    private static String[] words(byte[] data) throws IOException {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                words.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start != data.length) {
            throw new IOException("the arguments frame does not end with a NUL");
        }
        return words.toArray(String[]::new);
    }

    private static synchronized void log(String message) {
        System.err.println(Instant.now() + " " + message); // fleet.sh sends it to simulation-server.log
    }

    record Frame(byte type, byte[] data) {}

    /** One call's socket: frames out (from any thread, whole frames) and in (the serving thread only). */
    static final class Connection implements AutoCloseable {
        private final SocketChannel channel;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        synchronized void send(byte type, byte[] data) throws IOException {
            ByteBuffer frame = ByteBuffer.allocate(5 + data.length).put(type).putInt(data.length).put(data).flip();
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }

        /** The next frame, or null at the peer's end of stream before one. */
        Frame read(int maxBytes) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(5);
            if (!fill(header, true)) {
                return null;
            }
            byte type = header.get(0);
            int length = header.getInt(1);
            if (length < 0 || length > maxBytes) {
                throw new IOException("a frame of " + length + " bytes (at most " + maxBytes + ")");
            }
            ByteBuffer data = ByteBuffer.allocate(length);
            fill(data, false);
            return new Frame(type, data.array());
        }

        private boolean fill(ByteBuffer buffer, boolean endAllowed) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    if (endAllowed && buffer.position() == 0) {
                        return false;
                    }
                    throw new IOException("the client closed the connection within a frame");
                }
            }
            return true;
        }

        void closeQuietly() {
            try {
                channel.close(); // a read blocked on it ends with an AsynchronousCloseException
            } catch (IOException e) {
                log("cannot close a call's socket: " + e.getMessage());
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** stdin that asks the client for data only when the program reads: one chunk per ask, as a pipe's read(2). */
    static final class LazyStdin extends InputStream {
        private final Connection c;
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean end;

        LazyStdin(Connection c) {
            this.c = c;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (pos == chunk.length) {
                if (end) {
                    return -1;
                }
                c.send(WANT_STDIN, new byte[0]);
                Frame f = c.read(MAX_DATA_BYTES);
                if (f == null || f.type() == STDIN_END) {
                    end = true;
                } else if (f.type() == STDIN) {
                    chunk = f.data();
                    pos = 0;
                } else {
                    throw new IOException("expected stdin from the client, got frame type " + (char) f.type());
                }
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return chunk.length - pos; // never asks: available() must not block
        }
    }

    /** stdout or stderr: every write is sent at once (callers read long commands' output as it comes). */
    static final class FrameOutput extends OutputStream {
        private final Connection c;
        private final byte type;

        FrameOutput(Connection c, byte type) {
            this.c = c;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            c.send(type, new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            for (int at = off; at < off + len; at += MAX_DATA_BYTES) {
                c.send(type, java.util.Arrays.copyOfRange(b, at, Math.min(off + len, at + MAX_DATA_BYTES)));
            }
        }
    }
}
