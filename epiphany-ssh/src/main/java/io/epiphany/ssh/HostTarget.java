package io.epiphany.ssh;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one SSH hop goes and how its host key is judged: the logical address (what known_hosts is matched against,
 * even when the TCP connection goes through a jump host's forwarded port), the login user and the trust settings.
 */
record HostTarget(String name, String address, int port, String user, Optional<String> pinnedFingerprint,
        HostKeyPolicy policy, Path knownHosts) {

    static HostTarget of(Machine machine, SshSettings settings) {
        return new HostTarget(machine.hostname(), machine.sshAddress().orElse(machine.ip()),
                machine.sshPort().orElse(settings.port()),
                machine.sshUser().orElse(settings.user()), machine.hostKeyFingerprint(), settings.hostKeyPolicy(),
                settings.knownHosts());
    }

    /**
     * A jump host from OpenSSH's ProxyJump syntax {@code [user@]host[:port]} (IPv6 as {@code [addr]:port}); user and
     * port default to the settings'.
     */
    static HostTarget jump(String spec, SshSettings settings) {
        String rest = spec.trim();
        String user = settings.user();
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        String host = rest;
        int port = 22;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("jump host '" + spec + "': unbalanced '['");
            }
            host = rest.substring(1, close);
            if (rest.length() > close + 1 && rest.charAt(close + 1) == ':') {
                port = parsePort(spec, rest.substring(close + 2));
            }
        } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
            host = rest.substring(0, rest.indexOf(':'));
            port = parsePort(spec, rest.substring(rest.indexOf(':') + 1));
        }
        if (host.isEmpty() || user.isEmpty()) {
            throw new IllegalArgumentException("jump host '" + spec + "': expected [user@]host[:port]");
        }
        return new HostTarget(host, host, port, user, Optional.empty(), settings.hostKeyPolicy(),
                settings.knownHosts());
    }

    private static int parsePort(String spec, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("jump host '" + spec + "': port must be 1-65535", e);
        }
    }

    /** {@code user@address:port}, for messages. */
    String display() {
        return user + "@" + (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
