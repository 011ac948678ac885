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

    static void check(Cluster cluster, Facts facts) {
        List<String> problems = new ArrayList<>();
        Map<String, String> machineIds = new HashMap<>();
        for (Machine m : cluster.machines()) {
            HostFacts f = facts.host(m);
            if (!f.reachable()) {
                problems.add(m.hostname() + ": unreachable: " + f.unreachable().get());
                continue;
            }
            List<String> missing = new ArrayList<>();
            for (String b : List.of("kubeadm", "kubelet", "containerd", "curl", "sysctl")) {
                if (!f.has(b)) {
                    missing.add(b);
                }
            }
            if (cluster.isMaster(m)) {
                for (String b : List.of("kubectl", "crictl")) {
                    if (!f.has(b)) {
                        missing.add(b);
                    }
                }
            }
            if (!missing.isEmpty()) {
                problems.add(m.hostname() + ": missing " + String.join(", ", missing)
                        + " (install them first; the SDK installs only HAProxy; crictl comes with the cri-tools package "
                        + "kubeadm depends on)");
            }
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
