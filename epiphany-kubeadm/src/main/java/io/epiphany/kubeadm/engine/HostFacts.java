package io.epiphany.kubeadm.engine;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one machine reported, read-only. {@code unreachable} holds the transport error when the machine could not be
 * reached; every other field is then empty.
 *
 * @param active the units of {@link FactsGatherer#UNITS} that systemd reports active
 * @param versions installed {@code kubeadm}, {@code kubelet}, {@code kubectl} versions ("v1.35.2"), where installed
 * @param controlPlane the static pods, certificates and shared files of a control-plane host, if it has any
 * @param setup what host preparation needs to know (OS, swap, modules, sysctls, runtime, packages)
 * @param balancerServers the servers its running HAProxy reports (runtime API), empty where it did not answer; not part
 *     of the digest: health checks move them between the plan and the apply
 * @param balancerReady {@code GET /readyz} through the host's own load balancer answered {@code ok} when the facts
 *     were read ({@link Verification#readyz}); not part of the digest either
 */
record HostFacts(
        String hostname,
        Optional<String> unreachable,
        Set<String> binaries,
        Optional<String> haproxyConfig,
        Set<String> active,
        boolean kubeletConf,
        boolean adminConf,
        long clockSkewSeconds,
        Optional<String> machineId,
        Map<String, String> versions,
        Optional<ControlPlaneFacts> controlPlane,
        SetupFacts setup,
        java.util.List<io.epiphany.haproxy.HaproxyServerState> balancerServers,
        boolean balancerReady) {

    static HostFacts unreachable(String hostname, String error) {
        return new HostFacts(hostname, Optional.of(error), Set.of(), Optional.empty(), Set.of(), false, false, 0,
                Optional.empty(), Map.of(), Optional.empty(), SetupFacts.UNKNOWN, java.util.List.of(), false);
    }

    boolean reachable() {
        return unreachable.isEmpty();
    }

    boolean has(String binary) {
        return binaries.contains(binary);
    }

    boolean isActive(String unit) {
        return active.contains(unit);
    }

    boolean haproxyActive() {
        return isActive("haproxy");
    }

    Optional<String> haproxyConfigSha256() {
        return haproxyConfig.map(c -> FactsGatherer.sha256(c.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The machine runs (or ran) a kubelet of this cluster: kubeadm wrote its kubelet.conf. */
    boolean member() {
        return kubeletConf;
    }

    Optional<String> packageManager() {
        return has("apt-get") ? Optional.of("apt-get") : has("dnf") ? Optional.of("dnf") : Optional.empty();
    }

    /** The facts that decide a plan; the clock is left out because it moves. */
    String digestText() {
        return hostname + "|" + unreachable.isPresent() + "|" + new TreeSet<>(binaries) + "|"
                + haproxyConfigSha256().orElse("-") + "|" + new TreeSet<>(active) + "|" + kubeletConf + "|" + adminConf
                + "|" + new TreeMap<>(versions) + "|"
                + controlPlane.map(ControlPlaneFacts::digestText).orElse("-") + "|" + setup.digestText();
    }
}
