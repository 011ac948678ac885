package io.epiphany.kubeadm.engine;

import io.epiphany.kubeadm.render.HostSetupFiles;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What host preparation needs to know about one machine, read-only: its OS, swap, kernel modules and sysctls, cgroup
 * version, container runtime, held packages and the files the SDK writes (by SHA-256; {@code null}: missing).
 *
 * @param os the OS family, when {@code /etc/os-release} names a supported one
 * @param osName {@code PRETTY_NAME} (or ID and VERSION_ID) of {@code /etc/os-release}, for messages
 * @param codename {@code VERSION_CODENAME} (the apt suite of the container-runtime repository)
 * @param kernelRead whether the host was read for preparation: swap, modules, sysctls, cgroup, runtime, units, holds
 *        and the sandbox image (not on members, which were prepared before they joined; only their files are read)
 * @param swapDevices active swap devices ({@code swapon --show})
 * @param fstab {@code /etc/fstab}, if readable
 * @param modules loaded kernel modules among {@link HostSetupFiles#MODULES}
 * @param sysctls the values of {@link HostSetupFiles#SYSCTLS} that exist (a bridge key is missing without
 *        {@code br_netfilter})
 * @param cgroupFs {@code cgroup2fs} on cgroup v2, {@code tmpfs} on v1
 * @param containerdVersion {@code containerd --version}'s version without the {@code v}, if installed
 * @param sandboxImage the pause image kubeadm lists for the cluster's version, when kubeadm is installed
 * @param files SHA-256 of each file the SDK manages on this host, absent when missing
 */
record SetupFacts(Optional<OsFamily> os, String osName, String codename, boolean kernelRead, List<String> swapDevices, Optional<String> fstab,
        Set<String> modules, Map<String, String> sysctls, String cgroupFs, Optional<String> containerdVersion,
        Optional<String> sandboxImage, Set<String> enabled, Set<String> held, Map<String, String> files) {

    static final SetupFacts UNKNOWN = new SetupFacts(Optional.empty(), "?", "", false, List.of(), Optional.empty(), Set.of(),
            Map.of(), "?", Optional.empty(), Optional.empty(), Set.of(), Set.of(), Map.of());

    boolean cgroupV1() {
        return cgroupFs.equals("tmpfs");
    }

    /** Swap lines of {@code /etc/fstab} that would turn swap on at boot. */
    List<String> fstabSwapLines() {
        return fstab.map(t -> t.lines().filter(SetupFacts::isSwapLine).toList()).orElse(List.of());
    }

    static boolean isSwapLine(String line) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
            return false;
        }
        String[] f = l.split("\\s+");
        return f.length >= 3 && f[2].equals("swap");
    }

    boolean sysctlsReady() {
        return HostSetupFiles.SYSCTLS.stream().allMatch(k -> "1".equals(sysctls.get(k)));
    }

    /** containerd 2.x, which has the RuntimeConfig RPC kubelet 1.35+ asks for (kubernetes/kubernetes#134906). */
    boolean containerdCurrent() {
        return containerdVersion.map(SetupFacts::containerd2).orElse(false);
    }

    static boolean containerd2(String version) {
        return version.matches("([2-9]|\\d{2,})\\..*");
    }

    boolean fileIs(String path, String content) {
        return FactsGatherer.sha256(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)).equals(files.get(path));
    }

    String digestText() {
        return os.map(Enum::name).orElse("-") + "|" + kernelRead + "|" + swapDevices + "|" + fstabSwapLines() + "|" + new java.util.TreeSet<>(modules)
                + "|" + new TreeMap<>(sysctls) + "|" + cgroupFs + "|" + containerdVersion.orElse("-") + "|"
                + sandboxImage.orElse("-") + "|" + new java.util.TreeSet<>(enabled) + "|" + new java.util.TreeSet<>(held)
                + "|" + new TreeMap<>(files);
    }
}
