package io.epiphany.testkit.sim;

import io.epiphany.api.KubernetesVersion;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * SIMULATED containerd ({@code containerd --version}, and what happens when its unit starts) and the kubelet's own
 * start-up refusals. containerd reads {@code /etc/containerd/config.toml} when it starts: a {@code disabled_plugins}
 * list naming {@code cri} (what Docker's containerd.io package installs) means it runs but serves no CRI, which
 * kubeadm's CRI preflight and image pulls then fail on.
 */
public final class Containerd implements Program {
    private static final Pattern CRI_DISABLED = Pattern.compile("(?m)^\\s*disabled_plugins\\s*=\\s*\\[[^\\]]*\"cri\"");
    /** The sandbox image of a config ({@code sandbox = "..."} in v3, {@code sandbox_image} in v2). */
    private static final Pattern SANDBOX = Pattern.compile("(?m)^\\s*sandbox(?:_image)?\\s*=\\s*['\"]([^'\"]+)['\"]");

    @Override
    public boolean changesState(List<String> args) {
        return false;
    }

    @Override
    public int run(Invocation inv) {
        if (!inv.args().equals(List.of("--version"))) {
            return inv.fail(1, "only 'containerd --version' is supported by the SIMULATED host (it runs as a unit)");
        }
        String v = inv.host().host(h -> h.containerdVersion);
        inv.out().println("containerd containerd.io " + v + " SIMULATED0000000000000000000000000000000");
        return 0;
    }

    /** containerd starts: whether it will serve the CRI follows from its config file now. */
    public static void started(HostContext host) throws IOException {
        HostFiles f = host.files();
        String config = f.exists("/etc/containerd/config.toml") ? f.readString("/etc/containerd/config.toml") : "";
        boolean cri = !CRI_DISABLED.matcher(config).find();
        host.store().update(s -> {
            s.hosts.get(host.hostname()).containerdCri = cri;
            return null;
        });
    }

    /** The sandbox (pause) image containerd's config names, or its built-in default. */
    public static String sandboxImage(HostFiles f) throws IOException {
        String config = f.exists("/etc/containerd/config.toml") ? f.readString("/etc/containerd/config.toml") : "";
        var m = SANDBOX.matcher(config);
        return m.find() ? m.group(1) : "registry.k8s.io/pause:3.10";
    }

    /**
     * Why the kubelet exits right after it starts, or empty. SIMULATED from the kubelet's own messages:
     * {@code failSwapOn} (default true; kubernetes/kubernetes cmd/kubelet/app/server.go validateSwapConfiguration:
     * "running with swap on is not supported, please disable swap! or set --fail-swap-on flag to false. /proc/swaps
     * contained: ...") and {@code failCgroupV1} (default true from 1.35, KEP-5573: "kubelet is configured to not run
     * on a host using cgroup v1. cgroup v1 support is unsupported and will be removed in a future release").
     */
    public static Optional<String> kubeletRefusal(SimulationState.Host h) {
        if (h.cgroupV1 && h.installedKubelet() != null && KubernetesVersion.parse(h.installedKubelet())
                .map(v -> v.atLeast(35)).orElse(false)) {
            return Optional.of("failed to validate kubelet configuration, error: kubelet is configured to not run on "
                    + "a host using cgroup v1. cgroup v1 support is unsupported and will be removed in a future "
                    + "release");
        }
        if (!h.swap.isEmpty()) {
            return Optional.of("failed to run Kubelet: running with swap on is not supported, please disable swap! or "
                    + "set --fail-swap-on flag to false. /proc/swaps contained: [Filename\tType\tSize\tUsed\tPriority "
                    + String.join(" ", h.swap) + "\tpartition\t2097148\t0\t-2]");
        }
        return Optional.empty();
    }
}
