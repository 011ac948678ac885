package io.epiphany.api;

import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * How every machine reaches the API servers. The default is the design's internal load balancer: HAProxy on every
 * master and node, bound to {@code 127.0.0.1:3446}, balancing TCP to all masters' {@code :6443}. An external endpoint
 * ({@code host:port}) replaces {@code localhost:3446} everywhere and no HAProxy is installed.
 */
@Value.Immutable
@SdkStyle
public abstract class LoadBalancer {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    LoadBalancer() {}

    public static final int DEFAULT_PORT = 3446;

    /** Loopback port of the per-host HAProxy. */
    @Value.Default
    public int port() {
        return DEFAULT_PORT;
    }

    /** An external load balancer's {@code host:port}; when set, no HAProxy is installed. */
    public abstract Optional<String> externalEndpoint();

    /**
     * Interval of HAProxy's HTTPS {@code GET /readyz} check of each master. Every host checks every master, so a master
     * receives {@code hosts / interval} TLS checks per second: 17/s at 1,000 hosts with the default 60 s (measured:
     * BENCHMARKS.md). Live traffic takes a failing master out before its next check (passive checks), so a long
     * interval does not leave a dead master in use.
     */
    @Value.Default
    public Duration checkInterval() {
        return Duration.ofSeconds(60);
    }

    /** Consecutive failed checks before a master is taken out. */
    @Value.Default
    public int fall() {
        return 3;
    }

    /** Consecutive good checks before a master is put back. */
    @Value.Default
    public int rise() {
        return 2;
    }

    /** True when an external endpoint is used. */
    public boolean isExternal() {
        return externalEndpoint().isPresent();
    }

    /** The control-plane endpoint every kubeconfig and join uses: {@code localhost:<port>} or the external one. */
    public String endpoint() {
        return externalEndpoint().orElse("localhost:" + port());
    }

    /** The design's internal HAProxy on {@code 127.0.0.1:3446}. */
    public static LoadBalancer internal() {
        return builder().build();
    }

    /** The internal HAProxy on another loopback port. */
    public static LoadBalancer internal(int port) {
        return builder().port(port).build();
    }

    /** An external load balancer at {@code host:port}. */
    public static LoadBalancer external(String hostPort) {
        return builder().externalEndpoint(hostPort).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds a {@link LoadBalancer}. */
    public static class Builder extends ImmutableLoadBalancer.Builder {}
}
