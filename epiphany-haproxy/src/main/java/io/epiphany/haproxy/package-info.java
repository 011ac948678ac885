/**
 * The per-host API load balancer: {@link io.epiphany.haproxy.HaproxyConfig} renders {@code haproxy.cfg} from the
 * model for a target {@link io.epiphany.haproxy.HaproxyVersion}; {@link io.epiphany.haproxy.HaproxyService} installs,
 * checks ({@code haproxy -c}) and reloads it, and drains or restores a master and reads every server's state
 * ({@link io.epiphany.haproxy.HaproxyServerState}) through HAProxy's root-only runtime socket.
 */
package io.epiphany.haproxy;
