package io.epiphany.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * How the SDK reaches machines over SSH. Safe by default: strict host-key checking against {@link #knownHosts()},
 * no {@code ~/.ssh/config} and no agent unless asked for.
 */
@Value.Immutable
@SdkStyle
public abstract class SshSettings {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    SshSettings() {}

    public static final int DEFAULT_CONCURRENCY = 200;

    /**
     * The key exchanges offered by default, most preferred first (the server takes the first one of this list that it
     * has). {@code mlkem768x25519-sha256} first: a post-quantum hybrid that costs little more than X25519 (OpenSSH
     * 9.9 and later offer it); {@code curve25519-sha256} next: the cheapest, what OpenSSH 8.x-9.8 get.
     * {@code sntrup761x25519-sha512}, also post-quantum, comes after it: OpenSSH 9.0-9.8 prefer it, but it costs the
     * client about 4 times X25519 (BENCHMARKS.md, "Key exchange"); list it first in {@link #keyExchange()} where a
     * policy needs a post-quantum exchange with those servers. No SHA-1 exchanges.
     */
    public static final List<String> DEFAULT_KEY_EXCHANGE = List.of("mlkem768x25519-sha256", "curve25519-sha256",
            "curve25519-sha256@libssh.org", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
            "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256");

    /** Every name {@link #keyExchange()} accepts (OpenSSH's {@code KexAlgorithms} names). */
    public static final List<String> KNOWN_KEY_EXCHANGE = java.util.stream.Stream.concat(
            DEFAULT_KEY_EXCHANGE.stream(), java.util.stream.Stream.of("curve448-sha512", "mlkem768nistp256-sha256",
                    "mlkem1024nistp384-sha384")).toList();

    /** Login user; machines may override it. Non-root users need password-less {@code sudo -n} or {@link #sudoPassword()}. */
    @Value.Default
    public String user() {
        return "root";
    }

    @Value.Default
    public int port() {
        return 22;
    }

    /** OpenSSH private key (ed25519, ECDSA or RSA). */
    public abstract Optional<Path> privateKey();

    @Value.Redacted
    public abstract Optional<Secret> privateKeyPassphrase();

    @Value.Default
    public Path knownHosts() {
        return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    }

    @Value.Default
    public HostKeyPolicy hostKeyPolicy() {
        return HostKeyPolicy.STRICT;
    }

    /** Jump hosts ({@code [user@]host[:port]}), in order, as OpenSSH's ProxyJump. */
    public abstract List<String> jumpHosts();

    /** Password for {@code sudo -S}, fed on stdin and never logged. Prefer password-less sudo. */
    @Value.Redacted
    public abstract Optional<Secret> sudoPassword();

    @Value.Default
    public Duration connectTimeout() {
        return Duration.ofSeconds(10);
    }

    @Value.Default
    public Duration authTimeout() {
        return Duration.ofSeconds(15);
    }

    /** Default per-command timeout; long operations (kubeadm init/join) set their own. */
    @Value.Default
    public Duration commandTimeout() {
        return Duration.ofMinutes(2);
    }

    @Value.Default
    public Duration keepAliveInterval() {
        return Duration.ofSeconds(15);
    }

    /** Connection attempts on transient network errors (refused, timed out, reset), with backoff. */
    @Value.Default
    public int connectAttempts() {
        return 3;
    }

    /** How many hosts are worked on at once. */
    @Value.Default
    public int concurrency() {
        return DEFAULT_CONCURRENCY;
    }

    /**
     * The key-exchange algorithms offered, most preferred first, as OpenSSH's {@code KexAlgorithms}; the server
     * picks the first one it also has. Names from {@link #KNOWN_KEY_EXCHANGE}; default {@link #DEFAULT_KEY_EXCHANGE}.
     * A connection that finds none in common fails with the server's list in the message.
     */
    @Value.Default
    public List<String> keyExchange() {
        return DEFAULT_KEY_EXCHANGE;
    }

    /** Read {@code ~/.ssh/config}. Off by default: the SDK's behaviour must not depend on the user's shell setup. */
    @Value.Default
    public boolean useSshConfig() {
        return false;
    }

    /** Use the SSH agent ({@code SSH_AUTH_SOCK}). Off by default. */
    @Value.Default
    public boolean useAgent() {
        return false;
    }

    /**
     * Where to dial a machine's address, like OpenSSH's {@code Host} aliases with {@code HostName} and {@code Port}:
     * the key is the address a machine is known by, {@code 10.0.0.5} (any port) or {@code 10.0.0.5:22}
     * ({@code [fd00::5]:22}); the value is the {@code host:port} actually dialed, e.g. {@code 127.0.0.1:2201} or a NAT
     * gateway's forwarded port. A key with a port wins over the same host without one. It applies to every hop (jump
     * hosts too; behind a jump host the jump host dials the mapped address). The host key is looked up in
     * {@link #knownHosts()} under the address dialed, as OpenSSH does with {@code HostName}. Empty by default.
     * Machines the description no longer lists (found through etcd members or Nodes' InternalIPs) are dialed at
     * their InternalIP and port {@link #port()}, so a book entry reaches them without
     * {@link ApplyOptions#knownMachines()}.
     */
    public abstract Map<String, String> addressBook();

    /**
     * Makes the {@link #addressBook()} a closed network, named by this text in messages (e.g. {@code "the lab
     * network"}): only the addresses the book dials (its values) may be dialed; a connection to any other address,
     * after mapping, fails at once, before any socket is opened, with a message naming the address and this network.
     * Not retried. Empty by default: any address may be dialed. The simulated fleet of epiphany-testkit sets it so a
     * test never sends a packet off the machine.
     */
    public abstract Optional<String> closedNetwork();

    /**
     * Where a connection to {@code host:port} goes after the {@link #addressBook()}: the entry for the host and port,
     * else the one for the host, else the address itself.
     */
    public SshAddress dialed(String host, int port) {
        SshAddress asked = SshAddress.of(host, port);
        String withPort = addressBook().get(asked.toString());
        String hostOnly = withPort != null ? null : addressBook().get(asked.host());
        String to = withPort != null ? withPort : hostOnly;
        return to == null ? asked : SshAddress.parse(to, port);
    }

    /** Whether {@link #closedNetwork()} lets the SDK dial this address (always, when the network is open). */
    public boolean mayDial(SshAddress address) {
        return closedNetwork().isEmpty() || bookedAddresses().contains(address);
    }

    /** The addresses the book dials, parsed once (a fan-out asks for every connection). */
    @Value.Lazy
    java.util.Set<SshAddress> bookedAddresses() {
        return addressBook().values().stream().map(v -> SshAddress.parse(v, port()))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Value.Check
    void checkAddressBook() {
        addressBook().forEach((from, to) -> {
            try {
                SshAddress.parse(from, port());
                if (!SshAddress.hasPort(to)) {
                    throw new IllegalArgumentException("'" + to + "' needs a port, e.g. " + to + ":22");
                }
                SshAddress.parse(to, port());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SshSettings.addressBook entry " + from + " -> " + to + ": "
                        + e.getMessage(), e);
            }
        });
        closedNetwork().ifPresent(name -> {
            if (name.isBlank() || addressBook().isEmpty()) {
                throw new IllegalArgumentException("SshSettings.closedNetwork '" + name + "' needs a non-blank name "
                        + "and at least one addressBook entry: only the addresses of the book may be dialed");
            }
        });
    }

    public static SshSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link SshSettings}; every attribute has a safe default. */
    public static class Builder extends ImmutableSshSettings.Builder {
        public final Builder privateKey(String path) {
            return privateKey(Path.of(path));
        }

        public final Builder knownHosts(String path) {
            return knownHosts(Path.of(path));
        }
    }
}
