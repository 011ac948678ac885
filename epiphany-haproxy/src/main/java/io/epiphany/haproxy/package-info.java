/**
 * The per-host API load balancer: {@link io.epiphany.haproxy.HaproxyConfig} renders {@code haproxy.cfg} from the
 * model; the load-balancer phases (install, configure, validate, reload) build on it.
 */
package io.epiphany.haproxy;
