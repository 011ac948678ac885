package io.epiphany.testkit;

import io.epiphany.testkit.sim.Containerd;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.kube.Workloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A snapshot of one SIMULATED machine's operating system, for tests: what host preparation changed (swap, kernel
 * modules, sysctls, packages and where they came from, held packages, containerd, pulled images, CNI config).
 *
 * @param osId /etc/os-release ID (debian, ubuntu, rocky, ...)
 * @param osVersion its VERSION_ID
 * @param swap active swap devices
 * @param modules loaded kernel modules
 * @param sysctls net.ipv4.ip_forward and the net.bridge keys that exist now
 * @param packages installed packages from the SIMULATED repositories
 * @param held held packages (apt-mark hold)
 * @param images images in containerd's store, as pulled
 * @param containerd containerd's state
 * @param cniConfigFiles files in /etc/cni/net.d
 * @param binaries installed programs
 * @param kubeletRefusal why the kubelet would exit at start (swap, cgroup v1), or empty
 */
public record HostSystem(String osId, String osVersion, Set<String> swap, Set<String> modules,
        Map<String, String> sysctls, Map<String, Package> packages, Set<String> held, Set<String> images,
        ContainerdState containerd, List<String> cniConfigFiles, Set<String> binaries,
        Optional<String> kubeletRefusal) {

    /** An installed package: its package version (1.37.0-1.1) and the repository URL it was installed from. */
    public record Package(String version, String repository) {}

    /**
     * containerd: its version (null: not installed), whether its unit is enabled and running, and whether it serves
     * the CRI (false when its config disables the cri plugin, as Docker's containerd.io package does).
     */
    public record ContainerdState(String version, boolean enabled, boolean running, boolean servesCri) {}

    static HostSystem of(SimulationState.Host h, HostFiles files) {
        Map<String, String> sysctls = new TreeMap<>(h.sysctls);
        sysctls.put("net.ipv4.ip_forward", h.ipForward);
        Map<String, Package> packages = new TreeMap<>();
        h.packages.forEach((k, v) -> packages.put(k, new Package(v.version, v.repository)));
        try {
            return new HostSystem(h.osId, h.osVersion, Set.copyOf(h.swap), Set.copyOf(h.modules), Map.copyOf(sysctls),
                    Map.copyOf(packages), Set.copyOf(h.held), Set.copyOf(h.images),
                    new ContainerdState(h.containerdVersion, h.enabled.contains("containerd"),
                            h.active.contains("containerd"), h.active.contains("containerd") && h.containerdCri),
                    files.list(Workloads.CNI_DIR), Set.copyOf(h.binaries), Containerd.kubeletRefusal(h));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
