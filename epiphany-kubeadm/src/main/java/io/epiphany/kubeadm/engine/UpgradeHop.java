package io.epiphany.kubeadm.engine;

import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.remote.RemoteHost;

/**
 * One minor of an upgrade and the exact version its machines go to. The last hop (and a hop the cluster is already
 * in) is exact. An intermediate hop goes to the newest patch of its minor the repository offers: pkgs.k8s.io has one
 * repository per minor, which a host lists only once it is configured, so the version is chosen when the hop's first
 * machine has configured it ({@code apt-cache madison kubeadm} / {@code dnf list --showduplicates kubeadm}), and every
 * later machine of the hop takes the same one. A repository that offers none of the minor leaves {@code .0}, which
 * the package install then refuses with the package manager's own message.
 */
final class UpgradeHop {
    /** What the plan says about an intermediate hop's version. */
    static final String NEWEST_PATCH = "x: the newest patch its repository offers (apt-cache madison / dnf list "
            + "--showduplicates once it is configured), the same on every machine";
    private final KubernetesVersion floor;
    private final boolean exact;
    private volatile KubernetesVersion chosen;

    private UpgradeHop(KubernetesVersion floor, boolean exact) {
        this.floor = floor;
        this.exact = exact;
    }

    static UpgradeHop exact(KubernetesVersion v) {
        return new UpgradeHop(v, true);
    }

    /** The newest patch of {@code minorFloor}'s minor ({@code 1.36.0}: 1.36.x). */
    static UpgradeHop newestPatch(KubernetesVersion minorFloor) {
        return new UpgradeHop(minorFloor, false);
    }

    /** The version, as far as it is known: before {@link #resolve} an intermediate hop's is its minor's {@code .0}. */
    KubernetesVersion version() {
        KubernetesVersion c = chosen;
        return c != null ? c : floor;
    }

    /** How the plan names it: {@code v1.37.2}, or {@code v1.36.x} (see {@link #NEWEST_PATCH}). */
    String describe() {
        return exact || chosen != null ? version().toString() : "v" + floor.major() + "." + floor.minor() + ".x";
    }

    /** Chooses the version on a host whose repository for this minor is configured; the first choice holds. */
    synchronized KubernetesVersion resolve(PackageManager pm, RemoteHost h) {
        if (!exact && chosen == null) {
            chosen = pm.newestPatch(h, "kubeadm", floor).orElse(floor);
        }
        return version();
    }
}
