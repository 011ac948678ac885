package io.epiphany.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
