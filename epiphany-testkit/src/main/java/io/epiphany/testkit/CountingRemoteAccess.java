package io.epiphany.testkit;

import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RemoteAccess} that counts, per host, what the SDK asks of it: exec channels (one per command), SFTP
 * operations (one per file read or upload, each a round trip or more) and the bytes sent and received. Wraps any
 * runtime (the SIMULATED fleet's or real OpenSSH hosts'), so a regression in round trips shows as a number. Counts
 * only; content is never kept.
 *
 * <pre>{@code
 * CountingRemoteAccess counting = CountingRemoteAccess.wrap(RemoteAccess.load());
 * ... apply with ApplyOptions.builder().remoteAccess(counting) ...
 * counting.traffic("m1").execs();
 * }</pre>
 */
public final class CountingRemoteAccess implements RemoteAccess {
    private final RemoteAccess delegate;
    private final Map<String, Counters> byHost = new ConcurrentHashMap<>();

    private CountingRemoteAccess(RemoteAccess delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Counts what goes through {@code delegate}; closing this closes it. */
    public static CountingRemoteAccess wrap(RemoteAccess delegate) {
        return new CountingRemoteAccess(delegate);
    }

    /**
     * What one host was asked since the last {@link #reset}.
     *
     * @param execs exec channels (commands)
     * @param sftp file operations ({@link RemoteHost#read} and {@link RemoteHost#upload} calls)
     * @param bytesSent command lines, stdin and uploaded content
     * @param bytesReceived stdout, stderr and file content read
     */
    public record Traffic(long execs, long sftp, long bytesSent, long bytesReceived) {
        static final Traffic NONE = new Traffic(0, 0, 0, 0);

        /** Exec channels and SFTP operations together: the requests that each wait for an answer. */
        public long roundTrips() {
            return execs + sftp;
        }

        @Override
        public String toString() {
            return execs + " execs, " + sftp + " SFTP, " + bytesSent + " B sent, " + bytesReceived + " B received";
        }
    }

    /** What {@code hostname} was asked (zeros when nothing). */
    public Traffic traffic(String hostname) {
        Counters c = byHost.get(hostname);
        return c == null ? Traffic.NONE : c.snapshot();
    }

    /** Every host reached, by hostname. */
    public Map<String, Traffic> traffic() {
        Map<String, Traffic> out = new TreeMap<>();
        byHost.forEach((h, c) -> out.put(h, c.snapshot()));
        return out;
    }

    /** Sets every counter back to 0 (e.g. between a first apply and a re-apply). */
    public void reset() {
        byHost.clear();
    }

    @Override
    public RemoteHost host(Machine machine, SshSettings settings) {
        return new Counted(delegate.host(machine, settings), byHost.computeIfAbsent(machine.hostname(),
                h -> new Counters()));
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static final class Counters {
        final AtomicLong execs = new AtomicLong();
        final AtomicLong sftp = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();

        Traffic snapshot() {
            return new Traffic(execs.get(), sftp.get(), sent.get(), received.get());
        }

        void command(Command c) {
            execs.incrementAndGet();
            sent.addAndGet(c.line().getBytes(StandardCharsets.UTF_8).length + c.stdin().map(b -> b.length).orElse(0));
        }

        void result(CommandResult r) {
            received.addAndGet(r.stdout().getBytes(StandardCharsets.UTF_8).length
                    + r.stderr().getBytes(StandardCharsets.UTF_8).length);
        }
    }

    private record Counted(RemoteHost host, Counters counters) implements RemoteHost {
        @Override
        public String hostname() {
            return host.hostname();
        }

        @Override
        public CommandResult run(Command command) {
            counters.command(command);
            CommandResult r = host.run(command);
            counters.result(r);
            return r;
        }

        @Override
        public CompletableFuture<CommandResult> runAsync(Command command) {
            counters.command(command);
            return host.runAsync(command).whenComplete((r, e) -> {
                if (r != null) {
                    counters.result(r);
                }
            });
        }

        @Override
        public UploadResult upload(RemoteFile file) {
            counters.sftp.incrementAndGet();
            counters.sent.addAndGet(file.content().length);
            return host.upload(file);
        }

        @Override
        public Optional<byte[]> read(String path) {
            counters.sftp.incrementAndGet();
            Optional<byte[]> content = host.read(path);
            content.ifPresent(b -> counters.received.addAndGet(b.length));
            return content;
        }

        @Override
        public Optional<String> keyExchange() {
            return host.keyExchange();
        }

        @Override
        public Optional<String> hostKeyAlgorithm() {
            return host.hostKeyAlgorithm();
        }

        @Override
        public String toString() {
            return host.toString();
        }
    }
}
