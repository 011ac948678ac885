package io.epiphany.api;

import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * One machine of the cluster: its hostname (the Kubernetes node name) and the IP the other machines reach it on,
 * plus optional per-machine SSH settings, zone, labels and taints.
 *
 * <pre>{@code Machine.of("k1m1", "10.10.1.148").withZone("eu-1a")}</pre>
 */
@Value.Immutable
@SdkStyle
public abstract class Machine {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Machine() {}

    /** RFC 1123 hostname; also the Kubernetes node name. */
    public abstract String hostname();

    /** IPv4 or IPv6 address the other machines and the SDK reach this machine on. */
    public abstract String ip();

    /**
     * Where the SDK connects over SSH when it differs from {@link #ip()} (a NAT address, a bastion-side name, or
     * 127.0.0.1 for a simulated host). The cluster itself always uses {@link #ip()}.
     */
    public abstract Optional<String> sshAddress();

    /** SSH port for this machine; the cluster's SSH port when empty. */
    public abstract Optional<Integer> sshPort();

    /** SSH user for this machine; the cluster's SSH user when empty. */
    public abstract Optional<String> sshUser();

    /** Pinned host key fingerprint ({@code SHA256:...}, as {@code ssh-keygen -lf} prints it). */
    public abstract Optional<String> hostKeyFingerprint();

    /** Failure zone; becomes the {@code topology.kubernetes.io/zone} label. */
    public abstract Optional<String> zone();

    /** Node labels the SDK keeps on this machine's Node. */
    public abstract Map<String, String> labels();

    /** Node taints the SDK keeps on this machine's Node. */
    public abstract java.util.List<Taint> taints();

    public static Machine of(String hostname, String ip) {
        return builder().hostname(hostname).ip(ip).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    public Machine withZone(String zone) {
        return toBuilder().zone(zone).build();
    }

    public Machine withSshAddress(String address) {
        return toBuilder().sshAddress(address).build();
    }

    public Machine withSshPort(int port) {
        return toBuilder().sshPort(port).build();
    }

    public Machine withSshUser(String user) {
        return toBuilder().sshUser(user).build();
    }

    public Machine withHostKeyFingerprint(String fingerprint) {
        return toBuilder().hostKeyFingerprint(fingerprint).build();
    }

    public Machine withLabel(String key, String value) {
        return toBuilder().putLabel(key, value).build();
    }

    public Machine withTaint(String taint) {
        return toBuilder().addTaint(Taint.of(taint)).build();
    }

    /** Builds a {@link Machine}; {@code hostname} and {@code ip} are required. */
    public static class Builder extends ImmutableMachine.Builder {
        public final Builder taint(String spec) {
            return addTaint(Taint.of(spec));
        }
    }
}
