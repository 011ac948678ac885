package io.epiphany.ssh;

import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * {@link RemoteAccess} over SSH (Apache MINA SSHD): one shared {@code SshClient} for the application, one session per
 * machine reused by every command, many channels per session. Strict host-key checking by default; never reads
 * {@code ~/.ssh/config}, {@code ~/.ssh/id_*} or the agent on its own.
 *
 * <p>Memory per command is bounded: stdout keeps its first {@link Builder#maxOutputBytes} bytes and stderr its last
 * 64 KiB; {@link io.epiphany.api.remote.CommandResult#outputTruncated()} says when output was cut.
 *
 * <p>Usually found through {@link RemoteAccess#load()}; {@link #create()} or {@link #builder()} to tune it.
 */
public final class SshRemoteAccess implements RemoteAccess {
    /** Default bound on channels open at once per host: OpenSSH's default {@code MaxSessions}. */
    public static final int DEFAULT_MAX_CHANNELS_PER_HOST = 10;
    /**
     * Default bound on connects not yet authenticated at once, over every host: enough to keep 2 cores busy with key
     * exchanges, few enough that a 1,000-host fan-out neither floods the controller nor the network.
     */
    public static final int DEFAULT_MAX_CONNECTS_IN_FLIGHT = 64;
    /** Default stdout kept per command. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
    static final int STDERR_TAIL_BYTES = 64 * 1024;
    /** Threads that write command stdin (see ExecCall): a fixed few, whatever the number of hosts. */
    private static final int STDIN_WRITERS = 4;

    private final SshClient client;
    private final ScheduledExecutorService timer;
    private final java.util.concurrent.ThreadPoolExecutor stdinWriter;
    private final Connector connector;
    private final int maxChannelsPerHost;
    private final int maxOutputBytes;
    private final Map<HostKey, SshRemoteHost> hosts = new ConcurrentHashMap<>();

    /** Same as {@link #create()}; public for {@link java.util.ServiceLoader}. */
    public SshRemoteAccess() {
        this(new Builder());
    }

    private SshRemoteAccess(Builder builder) {
        this.maxChannelsPerHost = builder.maxChannelsPerHost;
        this.maxOutputBytes = builder.maxOutputBytes;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "epiphany-ssh-timer");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // command timeouts are mostly cancelled: do not keep them queued
        this.timer = t;
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.stdinWriter = new java.util.concurrent.ThreadPoolExecutor(STDIN_WRITERS, STDIN_WRITERS, 10,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread thread = new Thread(r, "epiphany-ssh-stdin-" + n.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        stdinWriter.allowCoreThreadTimeOut(true);
        this.client = newClient(new HostKeyCheck());
        this.connector = new Connector(client, timer, new KeyPairs(), builder.maxConnectsInFlight);
    }

    /** A runtime with the defaults. */
    public static SshRemoteAccess create() {
        return new SshRemoteAccess();
    }

    public static Builder builder() {
        return new Builder();
    }

    static {
        JdkEd25519.install(); // before MINA sets its providers up, which it does on its first use
    }

    private static SshClient newClient(ServerKeyVerifier verifier) {
        // MINA's default key exchanges would ask Bouncy Castle about its post-quantum ones (KeyExchange.supported);
        // every session gets its own list (SshSettings.keyExchange) before its first KEXINIT anyway
        SshClient client = ClientBuilder.builder()
                .keyExchangeFactories(KeyExchange.factories(SshSettings.DEFAULT_KEY_EXCHANGE)).build();
        // An SDK must behave the same on every machine: no ~/.ssh/config, no ~/.ssh/id_*, no agent, no passwords.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setServerKeyVerifier(verifier);
        client.addSessionListener(new KeyExchange()); // SshSettings.keyExchange, per connection
        // Liveness is the heartbeat's job (SshSettings.keepAliveInterval); a quiet 20-minute kubeadm join is fine.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        // An exec is a few small request/reply packets. With Nagle on (MINA's default) a request written behind an
        // unacknowledged one waits for the server's delayed ACK, ~40 ms per exec on Linux. Go's net package, which
        // k0sctl's SSH runs on, disables Nagle by default too.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
        return client;
    }

    @Override
    public RemoteHost host(Machine machine, SshSettings settings) {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(settings, "settings");
        HostTarget target = HostTarget.of(machine, settings);
        if (!client.isStarted()) {
            throw new IllegalStateException("this RemoteAccess is closed");
        }
        return hosts.computeIfAbsent(new HostKey(target, settings), k -> new SshRemoteHost(target, settings, this));
    }

    /** Closes every session and stops the client. */
    @Override
    public void close() {
        hosts.values().forEach(SshRemoteHost::close);
        hosts.clear();
        client.stop();
        timer.shutdownNow();
        stdinWriter.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Connector connector() {
        return connector;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    java.util.concurrent.Executor stdinWriter() {
        return stdinWriter;
    }

    int maxChannelsPerHost() {
        return maxChannelsPerHost;
    }

    int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** Same machine and same settings share one connection. */
    private record HostKey(HostTarget target, SshSettings settings) {
        // written out for the reason HostTarget's are
        @Override
        public boolean equals(Object o) {
            return o instanceof HostKey k && target.equals(k.target) && settings.equals(k.settings);
        }

        @Override
        public int hashCode() {
            return 31 * target.hashCode() + settings.hashCode();
        }
    }

    /** Tunes a {@link SshRemoteAccess}. */
    public static final class Builder {
        private int maxChannelsPerHost = DEFAULT_MAX_CHANNELS_PER_HOST;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private int maxConnectsInFlight = DEFAULT_MAX_CONNECTS_IN_FLIGHT;

        private Builder() {}

        /**
         * Connects not yet authenticated at once, over every host (more wait their turn, in order, without a thread):
         * a big fan-out through one jump host stays below its sshd's {@code MaxStartups} (10:30:100: beyond 10
         * unauthenticated connections it drops 30 % of new ones, all beyond 100), and key exchanges do not starve the
         * controller's CPU. Default {@value #DEFAULT_MAX_CONNECTS_IN_FLIGHT}.
         */
        public Builder maxConnectsInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnectsInFlight must be at least 1");
            }
            this.maxConnectsInFlight = n;
            return this;
        }

        /** Channels open at once on one host; more commands queue. Keep it at or below the hosts' MaxSessions. */
        public Builder maxChannelsPerHost(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxChannelsPerHost must be at least 1");
            }
            this.maxChannelsPerHost = n;
            return this;
        }

        /** stdout bytes kept per command; the rest is counted and dropped. */
        public Builder maxOutputBytes(int n) {
            if (n < 1024) {
                throw new IllegalArgumentException("maxOutputBytes must be at least 1024");
            }
            this.maxOutputBytes = n;
            return this;
        }

        public SshRemoteAccess build() {
            return new SshRemoteAccess(this);
        }
    }
}
