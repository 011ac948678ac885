package io.epiphany.kubeadm.engine;

import io.epiphany.api.KubernetesVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The minors an upgrade passes through: kubeadm moves the control plane one minor at a time ("Skipping MINOR versions
 * when upgrading is unsupported", kubeadm-upgrade.md; policy.go refuses "too high" a target). An intermediate hop
 * goes to the minor's {@code .0} release (the SDK does not guess which later patches a repository has); the last hop
 * is the described version exactly.
 */
final class UpgradePath {
    private UpgradePath() {}

    /** The hops from {@code running} to {@code target}; empty when there is nothing to upgrade. */
    static List<KubernetesVersion> hops(KubernetesVersion running, KubernetesVersion target) {
        List<KubernetesVersion> hops = new ArrayList<>();
        if (target.compareTo(running) <= 0) {
            return hops;
        }
        for (int minor = running.minor() + 1; minor < target.minor(); minor++) {
            hops.add(KubernetesVersion.of(running.major() + "." + minor + ".0"));
        }
        hops.add(target);
        return hops;
    }

    /** Why the described version cannot be reached from the running one, if it cannot. */
    static Optional<String> refusal(KubernetesVersion running, KubernetesVersion target) {
        if (target.compareTo(running) < 0) {
            return Optional.of("the cluster runs " + running + " and the description says " + target + ": "
                    + "downgrades are not supported (kubeadm cannot downgrade; restore a backup taken before the "
                    + "upgrade instead), set kubernetesVersion to " + running.toString().substring(1) + " or newer");
        }
        if (target.major() != running.major()) {
            return Optional.of("cannot upgrade across major versions (" + running + " → " + target + ")");
        }
        return Optional.empty();
    }

    /** The version in an image reference's tag ({@code registry.k8s.io/kube-apiserver:v1.36.2}), if it has one. */
    static Optional<KubernetesVersion> imageVersion(String image) {
        int colon = image.lastIndexOf(':');
        return colon < 0 ? Optional.empty() : KubernetesVersion.parse(image.substring(colon + 1));
    }
}
