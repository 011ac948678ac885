package io.epiphany.haproxy;

import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import java.time.Duration;
import java.util.List;

/**
 * Renders {@code /etc/haproxy/haproxy.cfg}: the per-host API load balancer of the design. Every master and node runs
 * the same HAProxy, bound to {@code 127.0.0.1:<port>} only (the design's example binds {@code 0.0.0.0}, which exposes
 * the API proxy on every interface), passing TCP through to every master's {@code :6443}; TLS ends at the API servers.
 * A single master gives a one-backend configuration from the same code. A pure function of the model.
 *
 * <h2>Health checks and what they cost the masters</h2>
 * Each HAProxy checks each master with an HTTPS {@code GET /readyz} expecting 200 ({@code /readyz} rather than
 * {@code /healthz}: it turns 503 as soon as an API server starts a graceful shutdown, so traffic leaves it before it
 * stops). Because every host checks every master, one master receives {@code hosts / inter} TLS checks per second. With
 * the default {@link LoadBalancer#checkInterval() inter} of 10 s that is <b>10 checks/s per master at 100 hosts and
 * 100 checks/s per master at 1,000 hosts</b> (each a TLS handshake plus one small HTTP request: a small fraction of one
 * core). HAProxy's own default of 2 s would be five times that. The price of the modest interval is detection time:
 * a dead master is out after at most {@code inter + (fall - 1) * fastinter} (10 s + 2 × 2 s = 14 s by default), and
 * {@code retries 3} with {@code option redispatch} move a connection that fails in the meantime to another master
 * (measured by the system test {@code RedispatchMeasurementTest}, real HAProxy 2.6, one of three masters refusing
 * connections: 0 of 200 connections failed with {@code option redispatch}, 5 without).
 *
 * <h2>Why {@code verify none} on the check</h2>
 * HAProxy must run before {@code kubeadm init}/{@code join} on a host (both reach the API through it), and the cluster
 * CA ({@code /etc/kubernetes/pki/ca.crt}) does not exist on a node until its join finishes, so the check cannot verify
 * the API server's certificate. The check only reads readiness; the traffic it steers is end-to-end TLS between the
 * clients and the API servers, verified against the cluster CA by the clients themselves.
 */
public final class HaproxyConfig {
    /** Where the configuration lives on every host. */
    public static final String PATH = "/etc/haproxy/haproxy.cfg";

    /** Port every API server listens on ({@code localAPIEndpoint.bindPort}). */
    public static final int API_SERVER_PORT = 6443;

    /** Interval between checks while a master changes state (going down or coming back). */
    static final Duration FAST_INTER = Duration.ofSeconds(2);

    private HaproxyConfig() {}

    /**
     * The configuration for every host of {@code cluster}.
     *
     * @throws IllegalArgumentException when the cluster uses an external load balancer: then no host gets HAProxy
     */
    public static String render(Cluster cluster) {
        return render(cluster, cluster.masters());
    }

    /**
     * The configuration with {@code backends} as the API servers: during a membership change a master leaves every
     * HAProxy before it is removed (else requests through it fail until checks mark it down), and joins it after.
     *
     * @throws IllegalArgumentException when the cluster uses an external load balancer, or {@code backends} is empty
     */
    public static String render(Cluster cluster, List<Machine> backends) {
        LoadBalancer lb = cluster.loadBalancer();
        if (lb.isExternal()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "' uses the external load balancer "
                    + lb.endpoint() + ": no HAProxy is rendered; check loadBalancer().isExternal() first");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "': HAProxy needs at least one master "
                    + "to balance to; pass the masters that serve the API");
        }
        StringBuilder cfg = new StringBuilder();
        cfg.append("# Rendered by Epiphany for cluster '").append(cluster.name()).append("'. The SDK rewrites this file.\n")
                .append("global\n")
                // systemd runs HAProxy in the foreground (-Ws): stdout goes to the journal, which reads the <prio>
                // prefix of the "short" format. No syslog socket is needed, so `haproxy -c` passes anywhere.
                .append("    log stdout format short local0 notice\n")
                .append("    maxconn 4000\n")
                // The master process keeps root to reload; the worker that handles traffic does not need it.
                .append("    user haproxy\n")
                .append("    group haproxy\n")
                // No stats listener: nothing but the API proxy listens on this host.
                .append("\n")
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    log global\n")
                .append("    option dontlognull\n")
                // A connection refused by a master that just died is retried, on another master.
                .append("    retries 3\n")
                .append("    option redispatch\n")
                .append("    timeout connect 5s\n")
                .append("    timeout client 5m\n")
                .append("    timeout server 5m\n")
                // In TCP mode the tunnel timeout replaces client/server once the connection is up: watches
                // (kubelet, kube-proxy, controllers) stay open for up to an hour with long quiet periods.
                .append("    timeout tunnel 1h\n")
                .append("    timeout client-fin 30s\n")
                .append("    timeout server-fin 30s\n")
                .append("    timeout check 5s\n")
                .append("\n")
                .append("frontend kube-apiserver\n")
                .append("    bind 127.0.0.1:").append(lb.port()).append('\n')
                .append("    default_backend kube-apiserver\n")
                .append("\n")
                .append("backend kube-apiserver\n")
                // Watches are long-lived: spread connections by count, not by turn.
                .append("    balance leastconn\n")
                .append("    option httpchk\n")
                .append("    http-check send meth GET uri /readyz\n")
                .append("    http-check expect status 200\n")
                // verify none: the CA does not exist yet when HAProxy starts (see the class Javadoc).
                .append("    default-server check check-ssl verify none")
                .append(" inter ").append(seconds(lb.checkInterval()))
                .append(" fastinter ").append(seconds(FAST_INTER))
                // A down master is probed no more often than an up one: the check load stays hosts / inter.
                .append(" downinter ").append(seconds(lb.checkInterval()))
                .append(" fall ").append(lb.fall())
                .append(" rise ").append(lb.rise()).append('\n');
        for (Machine master : backends) {
            cfg.append("    server ").append(master.hostname()).append(' ')
                    .append(address(master.ip(), API_SERVER_PORT)).append('\n');
        }
        return cfg.toString();
    }

    /** {@code ip:port}, with an IPv6 address in brackets as HAProxy expects ({@code [fd00::1]:6443}). */
    static String address(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** HAProxy time: whole seconds when exact, else milliseconds. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
