package io.epiphany.api;

import java.util.Objects;

/**
 * Where one SSH connection goes: a host (an IPv4 or IPv6 literal or a DNS name, never resolved here) and a TCP port.
 * Written {@code host:port}, IPv6 as {@code [fd00::5]:22}, as OpenSSH writes it. See {@link SshSettings#addressBook()}.
 */
public final class SshAddress {
    private final String host;
    private final int port;

    private SshAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * An address from its parts.
     *
     * @throws IllegalArgumentException when the host is not an IP literal or a DNS name, or the port not 1-65535
     */
    public static SshAddress of(String host, int port) {
        Objects.requireNonNull(host, "host");
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (Addresses.parseIp(h).isEmpty() && !Addresses.isHostname(h.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("'" + host + "' is not an IP address or a DNS name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of " + host + " is not 1-65535");
        }
        return new SshAddress(h, port);
    }

    /**
     * {@code host:port} or {@code [ipv6]:port}; {@code host} alone (a bare IPv6 literal too) takes {@code defaultPort}.
     *
     * @throws IllegalArgumentException naming the text when it is none of these
     */
    public static SshAddress parse(String text, int defaultPort) {
        Objects.requireNonNull(text, "text");
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || (close + 1 < text.length() && text.charAt(close + 1) != ':')) {
                throw new IllegalArgumentException("'" + text + "' is not [address]:port");
            }
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : null;
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (port == null) {
            return of(host, defaultPort);
        }
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + text + "': port must be 1-65535");
        }
        return of(host, Integer.parseInt(port));
    }

    /** Whether {@code text} names a port ({@code host:port}, {@code [ipv6]:port}), rather than a host alone. */
    static boolean hasPort(String text) {
        return text.startsWith("[") ? text.contains("]:") : text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':');
    }

    /** The host, without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshAddress a && a.port == port && a.host.equalsIgnoreCase(host);
    }

    @Override
    public int hashCode() {
        return host.toLowerCase(java.util.Locale.ROOT).hashCode() * 31 + port;
    }

    /** {@code host:port}, {@code [ipv6]:port}. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
