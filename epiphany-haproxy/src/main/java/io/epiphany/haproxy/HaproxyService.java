package io.epiphany.haproxy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;

/**
 * HAProxy as a host service on one machine: install it with the host's package manager, replace its configuration
 * only after the new one passed {@code haproxy -c} on that host, and reload without dropping established
 * connections. Commands are the ones listed in {@code docs/host-commands.md}.
 */
public final class HaproxyService {
    /** Where the configuration lives on every host. */
    public static final String CONFIG_PATH = "/etc/haproxy/haproxy.cfg";
    static final String CANDIDATE_PATH = "/etc/haproxy/haproxy.cfg.epiphany-new";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private final RemoteHost host;

    public HaproxyService(RemoteHost host) {
        this.host = host;
    }

    /** Installs HAProxy with {@code apt-get} or {@code dnf}. */
    public void install(String packageManager) {
        Command install = switch (packageManager) {
            case "apt-get" -> Command.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "haproxy");
            case "dnf" -> Command.of("dnf", "install", "-y", "haproxy");
            default -> throw new IllegalArgumentException("no way to install haproxy with " + packageManager
                    + "; install it on " + host.hostname() + " or use apt-get/dnf");
        };
        host.run(install.asRoot().timeout(INSTALL_TIMEOUT)).orThrow();
    }

    /** Whether the service runs now (Debian's package starts it on install, with its default configuration). */
    public boolean isActive() {
        var r = host.run(Command.of("systemctl", "is-active", "haproxy").readOnly());
        return r.ok() && r.stdout().trim().equals("active");
    }

    /**
     * Puts {@code config} in place: written beside the live file, checked with {@code haproxy -c}, then renamed over it,
     * and HAProxy reloaded (or enabled and started when it was not running). A config that fails the check never
     * replaces the live one.
     */
    public void configure(String config, boolean running) {
        host.upload(RemoteFile.of(CANDIDATE_PATH, config, 0644));
        host.run(Command.of("haproxy", "-c", "-f", CANDIDATE_PATH).asRoot().readOnly()).orThrow();
        java.util.Optional<byte[]> previous = host.read(CONFIG_PATH);
        host.run(Command.of("mv", "-f", CANDIDATE_PATH, CONFIG_PATH).asRoot()).orThrow();
        try {
            start(running);
        } catch (RuntimeException e) {
            // the process still runs the old config: put the old file back so the next apply sees the difference
            previous.ifPresent(p -> host.upload(RemoteFile.of(CONFIG_PATH, p, 0644)));
            throw e;
        }
    }

    /** Reloads a running HAProxy (seamless: old workers finish their connections) or enables and starts it. */
    public void start(boolean running) {
        Command c = running ? Command.of("systemctl", "reload", "haproxy")
                : Command.of("systemctl", "enable", "--now", "haproxy");
        host.run(c.asRoot()).orThrow();
    }

    /** Stops HAProxy and removes the SDK's configuration (the package stays installed). */
    public void remove() {
        host.run(Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
        host.run(Command.of("rm", "-f", CONFIG_PATH, CANDIDATE_PATH).asRoot()).orThrow();
    }
}
