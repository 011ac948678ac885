package io.epiphany.kubeadm.engine;

import java.util.Optional;
import java.util.Set;

/**
 * What one machine reported, read-only. {@code unreachable} holds the transport error when the machine could not be
 * reached; every other field is then empty.
 */
record HostFacts(
        String hostname,
        Optional<String> unreachable,
        Set<String> binaries,
        Optional<String> haproxyConfigSha256,
        boolean haproxyActive,
        boolean kubeletConf,
        boolean adminConf,
        long clockSkewSeconds,
        Optional<String> machineId,
        boolean ipForward) {

    static HostFacts unreachable(String hostname, String error) {
        return new HostFacts(hostname, Optional.of(error), Set.of(), Optional.empty(), false, false, false, 0,
                Optional.empty(), false);
    }

    boolean reachable() {
        return unreachable.isEmpty();
    }

    boolean has(String binary) {
        return binaries.contains(binary);
    }

    Optional<String> packageManager() {
        return has("apt-get") ? Optional.of("apt-get") : has("dnf") ? Optional.of("dnf") : Optional.empty();
    }

    /** The facts that decide a plan; the clock is left out because it moves. */
    String digestText() {
        return hostname + "|" + unreachable.isPresent() + "|" + new java.util.TreeSet<>(binaries) + "|"
                + haproxyConfigSha256.orElse("-") + "|" + haproxyActive + "|" + kubeletConf + "|" + adminConf + "|"
                + ipForward;
    }
}
