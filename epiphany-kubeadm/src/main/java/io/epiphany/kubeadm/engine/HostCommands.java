package io.epiphany.kubeadm.engine;

import io.epiphany.api.remote.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The kubeadm, kubectl and systemctl commands the engine runs, in one place: the code form of
 * {@code docs/host-commands.md}. Every argument is quoted by {@link Command}.
 */
final class HostCommands {
    static final Duration KUBEADM_TIMEOUT = Duration.ofMinutes(10);

    private HostCommands() {}

    /**
     * As root: the SDK runs these binaries as root, and a non-root login's PATH on Debian has no /usr/sbin or
     * /usr/local/sbin (where sysctl lives) while sudo's secure_path has them.
     */
    static Command exists(String binary) {
        return Command.of("command", "-v", binary).asRoot().readOnly();
    }

    static Command fileExists(String path) {
        return Command.of("test", "-e", path).asRoot().readOnly();
    }

    static Command epochSeconds() {
        return Command.of("date", "+%s").readOnly();
    }

    static Command isActive(String unit) {
        return Command.of("systemctl", "is-active", unit).readOnly();
    }

    static Command applySysctl(String file) {
        return Command.of("sysctl", "-p", file).asRoot();
    }

    static Command kubectl(String... args) {
        List<String> words = new ArrayList<>(List.of("kubectl", "--kubeconfig", KubePaths.ADMIN_CONF));
        words.addAll(List.of(args));
        return Command.of(words).asRoot();
    }

    /** Starts the kubelet, or restarts it (a kubelet restart brings back static pods whose containers stopped). */
    static Command kubelet(String verb) {
        return Command.of("systemctl", verb, "kubelet").asRoot();
    }

    /** The master's own API server, not through the load balancer. */
    static Command localReadyz() {
        return Command.of("curl", "-sk", "--max-time", "5", "https://127.0.0.1:6443/readyz").readOnly();
    }

    static Command kubeadm(String... args) {
        List<String> words = new ArrayList<>(List.of("kubeadm"));
        words.addAll(List.of(args));
        return Command.of(words).asRoot().timeout(KUBEADM_TIMEOUT);
    }

    static Command remove(String... paths) {
        List<String> words = new ArrayList<>(List.of("rm", "-f"));
        words.addAll(List.of(paths));
        return Command.of(words).asRoot();
    }
}
