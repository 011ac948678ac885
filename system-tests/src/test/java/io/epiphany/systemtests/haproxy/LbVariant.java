package io.epiphany.systemtests.haproxy;

import io.epiphany.systemtests.fleet.FleetHost;
import java.util.List;

/**
 * One HAProxy configuration measured on the real-OS fleet: a name for the figures and the file every host gets, with
 * the fleet's masters as backends. {@link #OLD} is the renderer's configuration before issue 12 (checks every 10 s,
 * {@code timeout connect 5s}, no passive checks), kept here as text so the figures can be rerun against it.
 */
record LbVariant(String name, String backendServerOptions, String timeoutConnect, String globalExtra) {
    static final LbVariant OLD = new LbVariant("old: inter 10s fastinter 2s downinter 10s fall 3 rise 2, connect 5s",
            "check check-ssl verify none inter 10s fastinter 2s downinter 10s fall 3 rise 2", "5s", "");

    /** The same file as the renderer writes, with {@code servers} (hostname, ip) as backends. */
    String config(List<FleetHost> servers) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("global\n    log stdout format short local0 notice\n    maxconn 4000\n")
                .append("    user haproxy\n    group haproxy\n").append(globalExtra)
                .append("\ndefaults\n    mode tcp\n    log global\n    option dontlognull\n    retries 3\n")
                .append("    option redispatch\n    timeout connect ").append(timeoutConnect).append('\n')
                .append("    timeout client 5m\n    timeout server 5m\n    timeout tunnel 1h\n")
                .append("    timeout client-fin 30s\n    timeout server-fin 30s\n    timeout check 5s\n\n")
                .append("frontend kube-apiserver\n    bind 127.0.0.1:3446\n    default_backend kube-apiserver\n\n")
                .append("backend kube-apiserver\n    balance leastconn\n    option httpchk\n")
                .append("    http-check send meth GET uri /readyz\n    http-check expect status 200\n")
                .append("    default-server ").append(backendServerOptions).append('\n');
        for (FleetHost s : servers) {
            cfg.append("    server ").append(s.hostname()).append(' ').append(s.ip()).append(":6443\n");
        }
        return cfg.toString();
    }
}
