package io.epiphany.ssh;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshAddress;
import io.epiphany.api.SshSettings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one SSH hop goes and how its host key is judged: the logical address (what known_hosts is matched against,
 * even when the TCP connection goes through a jump host's forwarded port), the login user and the trust settings.
 */
record HostTarget(String name, String address, int port, String user, Optional<String> pinnedFingerprint,
        HostKeyPolicy policy, Path knownHosts) {
    // equals and hashCode written out (as a record's are: every component): a record's own are bootstrapped through
    // invokedynamic (ObjectMethods), whose first use spins method-handle classes, on the path to the first connect

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTarget t && Objects.equals(name, t.name) && Objects.equals(address, t.address)
                && port == t.port && Objects.equals(user, t.user) && Objects.equals(pinnedFingerprint,
                t.pinnedFingerprint) && policy == t.policy && Objects.equals(knownHosts, t.knownHosts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, port, user, pinnedFingerprint, policy, knownHosts);
    }

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
        if (user.isEmpty()) {
            throw new IllegalArgumentException("jump host '" + spec + "': expected [user@]host[:port]");
        }
        SshAddress address;
        try {
            address = SshAddress.parse(rest, 22);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jump host '" + spec + "': expected [user@]host[:port] ("
                    + e.getMessage() + ")", e);
        }
        return new HostTarget(address.host(), address.host(), address.port(), user, Optional.empty(),
                settings.hostKeyPolicy(), settings.knownHosts());
    }

    /**
     * This hop as {@link SshSettings#addressBook()} maps it: the address dialed, which known_hosts is matched against
     * (OpenSSH's {@code HostName}).
     *
     * @throws ClosedNetworkRefusal when {@link SshSettings#closedNetwork()} does not include the address dialed
     */
    HostTarget dialedWith(SshSettings settings) {
        SshAddress to = settings.dialed(address, port);
        if (!settings.mayDial(to)) {
            throw new ClosedNetworkRefusal("cannot connect to " + SshAddress.of(address, port)
                    + (to.equals(SshAddress.of(address, port)) ? "" : " (dialed as " + to + ")") + ": " + to
                    + " is not part of " + settings.closedNetwork().orElseThrow() + " (SshSettings.closedNetwork: only "
                    + "the addresses of SshSettings.addressBook may be dialed); refused before any packet was sent");
        }
        return new HostTarget(name, to.host(), to.port(), user, pinnedFingerprint, policy, knownHosts);
    }

    /** A connection {@link SshSettings#closedNetwork()} forbids: never retried. */
    static final class ClosedNetworkRefusal extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ClosedNetworkRefusal(String message) {
            super(message);
        }
    }

    /** {@code user@address:port}, for messages. */
    String display() {
        return user + "@" + (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
