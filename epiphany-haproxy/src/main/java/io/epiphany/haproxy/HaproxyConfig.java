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
 * A single master gives a one-backend configuration from the same code. A pure function of the model and the target
 * {@link HaproxyVersion}.
 *
 * <h2>Health checks and what they cost the masters (figures: BENCHMARKS.md, "Load balancers for a thousand nodes")</h2>
 * Each HAProxy checks each master with an HTTPS {@code GET /readyz} expecting 200 ({@code /readyz} rather than
 * {@code /healthz}: it turns 503 as soon as an API server starts a graceful shutdown, so traffic leaves it before it
 * stops). Because every host checks every master, one master receives {@code hosts / inter} TLS checks per second:
 * measured on the real-OS fleet, 0.1 per host with the old {@code inter 10s} (100/s per master at 1,000 hosts) and
 * 1/60 per host with the default {@link LoadBalancer#checkInterval() inter} of 60 s (17/s at 1,000 hosts, the goal
 * being at most 20). A slow active check would leave a dead master in use for a minute, so live traffic is the first
 * detector ({@code observe layer4 error-limit 2 on-error mark-down}: two failed connections in a row from real
 * requests take a master out at once), and {@code timeout connect 1s} bounds what a request that meets a silent (cut)
 * master waits before {@code retries 3} + {@code option redispatch} move it to another master: measured, 0 failed
 * requests when a master's API server is killed and at most 1.1 s more for a request when its link is cut. Not
 * {@code on-marked-down shutdown-sessions}: it also closes the request whose failed connect took the master out (one
 * failed request per host, measured); watches on a killed API server are reset by its kernel, and a planned restart
 * closes them with {@link HaproxyService#drain}. A master taken out is checked every
 * {@code downinter} (10 s) and every {@code fastinter} (2 s) once it answers, so it is used again within
 * {@code downinter + (rise - 1) * fastinter}, 12 s by default. {@code spread-checks} keeps hosts reloaded at the same
 * moment from checking in step.
 *
 * <h2>The runtime API</h2>
 * {@code stats socket /run/haproxy-admin.sock mode 600 level admin}: a unix socket only root can open (created by
 * HAProxy's master process, which runs as root, in root's {@code /run}), local only, no TCP listener. Through it
 * {@link HaproxyService} drains a master before it restarts or leaves and reads the state of every server.
 *
 * <h2>Why {@code verify none} on the check</h2>
 * HAProxy must run before {@code kubeadm init}/{@code join} on a host (both reach the API through it), and the cluster
 * CA ({@code /etc/kubernetes/pki/ca.crt}) does not exist on a node until its join finishes, so the check cannot verify
 * the API server's certificate. The check only reads readiness; the traffic it steers is end-to-end TLS between the
 * clients and the API servers, verified against the cluster CA by the clients themselves.
 *
 * <h2>HAProxy's own HTTP client</h2>
 * From 2.6 HAProxy sets up an internal HTTP client at every start, which by default ({@code httpclient.ssl.verify
 * required}) loads the whole system CA store ({@code @system-ca}: every file of {@code /usr/lib/ssl/certs} on Debian,
 * each parsed by OpenSSL 3). Nothing in this configuration uses that client (it serves Lua scripts and an expert
 * command of the runtime API; no Lua is loaded), yet the load was most of the cost of every {@code haproxy -c} and
 * every reload: measured on Debian 12's 2.6.12, 53 ms of CPU per parse, 11.5 ms with {@code httpclient.ssl.verify
 * none} (BENCHMARKS.md, "Stop 13: HAProxy loaded the system CA store on every parse"), which an LB change pays twice
 * on every host. The line is inside {@code .if version_atleast(2.6)}: HAProxy 2.4 has conditional blocks (since
 * 2.4-dev19) but not the keyword, and one file serves every branch.
 */
public final class HaproxyConfig {
    /** Where the configuration lives on every host. */
    public static final String PATH = "/etc/haproxy/haproxy.cfg";

    /** Port every API server listens on ({@code localAPIEndpoint.bindPort}). */
    public static final int API_SERVER_PORT = 6443;

    /** The backend every host's frontend sends to; its servers are named after the masters' hostnames. */
    public static final String BACKEND = "kube-apiserver";

    /** HAProxy's runtime API: root-only, local only. */
    public static final String ADMIN_SOCKET = "/run/haproxy-admin.sock";

    /** The oldest HAProxy the renderer writes for (RHEL 9's 2.4); the keywords below all exist there. */
    public static final HaproxyVersion OLDEST = HaproxyVersion.V2_4;

    /** Interval between checks while a master changes state (going down or coming back). */
    static final Duration FAST_INTER = Duration.ofSeconds(2);

    /** Interval between checks of a master that is down: bounds how long a returning master waits to be used. */
    static final Duration DOWN_INTER = Duration.ofSeconds(10);

    /** Failed connections of live traffic in a row that take a master out without waiting for its check. */
    static final int ERROR_LIMIT = 2;

    /** Random spread of every check interval, in percent (HAProxy allows 0 to 50). */
    static final int SPREAD_CHECKS_PERCENT = 20;

    private HaproxyConfig() {}

    /**
     * The configuration for every host of {@code cluster}.
     *
     * @throws IllegalArgumentException when the cluster uses an external load balancer: then no host gets HAProxy
     */
    public static String render(Cluster cluster) {
        return render(cluster, cluster.masters());
    }

    /** {@link #render(Cluster, List, HaproxyVersion)} for the oldest supported HAProxy (valid on every newer one). */
    public static String render(Cluster cluster, List<Machine> backends) {
        return render(cluster, backends, OLDEST);
    }

    /**
     * The configuration with {@code backends} as the API servers: during a membership change a master leaves every
     * HAProxy before it is removed (else requests through it fail until checks mark it down), and joins it after.
     *
     * {@code version} is the host's HAProxy ({@link HaproxyVersion#parse(String)} of {@code haproxy -v}): only
     * keywords it knows are written.
     *
     * @throws IllegalArgumentException when the cluster uses an external load balancer, {@code backends} is empty, or
     *     {@code version} is older than {@link #OLDEST}
     */
    public static String render(Cluster cluster, List<Machine> backends, HaproxyVersion version) {
        LoadBalancer lb = cluster.loadBalancer();
        if (lb.isExternal()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "' uses the external load balancer "
                    + lb.endpoint() + ": no HAProxy is rendered; check loadBalancer().isExternal() first");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "': HAProxy needs at least one master "
                    + "to balance to; pass the masters that serve the API");
        }
        if (!version.atLeast(OLDEST)) {
            throw new IllegalArgumentException("HAProxy " + version + " is older than " + OLDEST + ", the oldest the SDK "
                    + "configures (http-check send needs 2.2; RHEL 9 ships 2.4): upgrade HAProxy on the host");
        }
        StringBuilder cfg = new StringBuilder();
        cfg.append("# Rendered by Epiphany for cluster '").append(cluster.name()).append("' and HAProxy ").append(version)
                .append(" or newer. The SDK rewrites this file.\n")
                .append("global\n")
                // systemd runs HAProxy in the foreground (-Ws): stdout goes to the journal, which reads the <prio>
                // prefix of the "short" format. No syslog socket is needed, so `haproxy -c` passes anywhere.
                .append("    log stdout format short local0 notice\n")
                .append("    maxconn 4000\n")
                // The master process keeps root to reload; the worker that handles traffic does not need it.
                .append("    user haproxy\n")
                .append("    group haproxy\n")
                // The runtime API for drain and diagnostics: a unix socket only root opens; no TCP stats listener.
                .append("    stats socket ").append(ADMIN_SOCKET).append(" mode 600 level admin\n")
                // Hosts reloaded in the same second would otherwise check every master in the same second.
                .append("    spread-checks ").append(SPREAD_CHECKS_PERCENT).append('\n')
                // See "HAProxy's own HTTP client" in the class Javadoc. A conditional block (HAProxy 2.4+) keeps the
                // file the same for every branch: 2.4 has no such keyword.
                .append("    # HAProxy's own HTTP client (Lua, CLI) is unused here; this spares every start, reload")
                .append(" and\n    # check loading the whole system CA store.\n")
                .append("    .if version_atleast(2.6)\n")
                .append("    httpclient.ssl.verify none\n")
                .append("    .endif\n")
                .append("\n")
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    log global\n")
                .append("    option dontlognull\n")
                // A connection refused by a master that just died, or not answered within timeout connect by a
                // master cut off, is retried at once on another master (redispatch on every retry).
                .append("    retries 3\n")
                .append("    option redispatch\n")
                // The masters are on the hosts' own network: a TCP connect takes milliseconds, so 1 s is what a
                // request meeting a cut master may lose (the goal: at most 1.1 s).
                .append("    timeout connect 1s\n")
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
                .append("    default_backend ").append(BACKEND).append('\n')
                .append("\n")
                .append("backend ").append(BACKEND).append('\n')
                // Watches are long-lived: spread connections by count, not by turn.
                .append("    balance leastconn\n")
                .append("    option httpchk\n")
                .append("    http-check send meth GET uri /readyz\n")
                .append("    http-check expect status 200\n")
                // verify none: the CA does not exist yet when HAProxy starts (see the class Javadoc).
                .append("    default-server check check-ssl verify none")
                .append(" inter ").append(seconds(lb.checkInterval()))
                .append(" fastinter ").append(seconds(FAST_INTER))
                .append(" downinter ").append(seconds(min(DOWN_INTER, lb.checkInterval())))
                .append(" fall ").append(lb.fall())
                .append(" rise ").append(lb.rise())
                // Passive checks: live traffic's failed connections take a master out before its next check.
                // No on-marked-down shutdown-sessions: measured, it also closes the request whose failed connect
                // marked the master down (one failed request per host at every failover); a drain closes watches.
                .append(" observe layer4 error-limit ").append(ERROR_LIMIT).append(" on-error mark-down").append('\n');
        for (Machine master : backends) {
            cfg.append("    server ").append(master.hostname()).append(' ')
                    .append(address(master.ip(), API_SERVER_PORT)).append('\n');
        }
        return cfg.toString();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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
