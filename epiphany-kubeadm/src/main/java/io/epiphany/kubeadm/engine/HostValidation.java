package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the machines before anything changes: reachable, the binaries the SDK needs, clocks in step, no cloned
 * machine IDs. Every problem on every host is reported at once.
 */
final class HostValidation {
    static final String PHASE = "Validate hosts";
    static final long MAX_CLOCK_SKEW_SECONDS = 30;

    private HostValidation() {}

    /**
     * What keeps a host from running kubeadm and what preparation cannot fix. With preparation on, only what it
     * cannot do (cgroup v1, an OS it does not know, no package manager); with it off, every missing piece.
     */
    static List<String> setupProblems(Cluster cluster, Machine m, HostFacts f) {
        List<String> out = new ArrayList<>();
        SetupFacts s = f.setup();
        String host = m.hostname() + ": ";
        if (s.cgroupV1()) {
            out.add(host + "cgroup v1 (/sys/fs/cgroup is tmpfs): the kubelet refuses it from 1.35 (failCgroupV1, "
                    + "KEP-5573); boot with systemd.unified_cgroup_hierarchy=1 or use an OS with cgroup v2");
        }
        for (String b : List.of("curl", "sysctl")) {
            if (!f.has(b)) {
                out.add(host + "missing " + b);
            }
        }
        List<String> packages = new ArrayList<>(List.of("kubeadm", "kubelet"));
        if (cluster.isMaster(m)) {
            packages.add("kubectl");
        }
        String wanted = cluster.version().toString();
        List<String> wrong = packages.stream().filter(p -> !f.has(p) || (!f.member()
                && !wanted.equals(f.versions().get(p)))).map(p -> f.has(p) ? p + " " + f.versions().getOrDefault(p, "?")
                        + " (not " + wanted + ")" : p).toList();
        if (cluster.hostPreparation().enabled()) {
            boolean installs = !wrong.isEmpty() || (s.kernelRead() && !s.containerdCurrent());
            if (installs && s.os().isEmpty()) {
                out.add(host + "cannot install " + (wrong.isEmpty() ? "containerd" : String.join(", ", wrong))
                        + ": /etc/os-release says '" + s.osName() + "'; host preparation supports Debian 12/13, Ubuntu "
                        + "22.04/24.04 and the RHEL 9 family (install them yourself and set hostPreparation(false))");
            } else if (installs && f.packageManager().isEmpty()) {
                out.add(host + "neither apt-get nor dnf is available to install " + String.join(", ", wrong));
            }
            return out;
        }
        List<String> missing = new ArrayList<>(wrong);
        if (!s.kernelRead()) {
            // a member: prepared before it joined
        } else if (!s.containerdCurrent()) {
            missing.add(s.containerdVersion().map(v -> "containerd 2.x (found " + v + ")").orElse("containerd"));
        } else if (!f.isActive("containerd")) {
            missing.add("a running containerd");
        }
        if (cluster.isMaster(m) && !f.has("crictl")) {
            missing.add("crictl (cri-tools)");
        }
        if (!s.swapDevices().isEmpty()) {
            missing.add("swap off (on: " + String.join(", ", s.swapDevices()) + ")");
        }
        if (s.kernelRead()) {
            io.epiphany.kubeadm.render.HostSetupFiles.MODULES.stream().filter(x -> !s.modules().contains(x))
                    .forEach(x -> missing.add("kernel module " + x));
            io.epiphany.kubeadm.render.HostSetupFiles.SYSCTLS.stream().filter(k -> !"1".equals(s.sysctls().get(k)))
                    .forEach(k -> missing.add(k + "=1"));
        }
        if (s.kernelRead() && !s.enabled().contains("kubelet")) {
            missing.add("kubelet enabled");
        }
        if (!missing.isEmpty()) {
            out.add(host + "missing " + String.join(", ", missing) + " (hostPreparation is off: prepare the image, or "
                    + "turn it on to let the SDK do it)");
        }
        return out;
    }

    static void check(Cluster cluster, Facts facts) {
        List<String> problems = new ArrayList<>();
        Map<String, String> machineIds = new HashMap<>();
        for (Machine m : cluster.machines()) {
            HostFacts f = facts.host(m);
            if (!f.reachable()) {
                problems.add(m.hostname() + ": unreachable: " + f.unreachable().get());
                continue;
            }
            problems.addAll(setupProblems(cluster, m, f));
            if (!cluster.loadBalancer().isExternal() && !(f.has("haproxy") && f.has("socat"))
                    && f.packageManager().isEmpty()) {
                problems.add(m.hostname() + ": haproxy or socat is not installed and neither apt-get nor dnf is available to "
                        + "install it");
            }
            if (Math.abs(f.clockSkewSeconds()) > MAX_CLOCK_SKEW_SECONDS) {
                problems.add(m.hostname() + ": clock is " + f.clockSkewSeconds() + " s off this machine's (more than "
                        + MAX_CLOCK_SKEW_SECONDS + " s breaks certificate validity and etcd leases); run NTP/chrony");
            }
            f.machineId().ifPresent(id -> {
                String other = machineIds.putIfAbsent(id, m.hostname());
                if (other != null) {
                    problems.add(m.hostname() + ": same /etc/machine-id as " + other + " (a cloned image); "
                            + "regenerate it with systemd-machine-id-setup");
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new ApplyException(PHASE, problems.size() == 1 ? problems.get(0).split(":")[0] : null,
                    problems.size() + " host problem(s):\n    " + String.join("\n    ", problems), List.of(),
                    List.of("everything: no host was changed"), null);
        }
    }
}
