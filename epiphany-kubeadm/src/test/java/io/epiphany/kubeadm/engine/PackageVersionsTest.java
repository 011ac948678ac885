package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.KubernetesVersion;
import org.junit.jupiter.api.Test;

/** The versions a repository offers, from apt-cache madison's and dnf list --showduplicates' real output formats. */
class PackageVersionsTest {
    @Test
    void madisonLines() {
        String out = "   kubeadm | 1.36.4-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages\n"
                + "   kubeadm | 1.36.10-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages\n"
                + "N: Unable to locate package nothing\n";
        assertThat(PackageManager.parseVersions(out, true)).containsExactly(KubernetesVersion.of("1.36.4"),
                KubernetesVersion.of("1.36.10"));
    }

    @Test
    void dnfListLines() {
        String out = "Last metadata expiration check: 0:00:12 ago on Tue 01 Dec 2026 18:00:00 UTC.\n"
                + "Installed Packages\n"
                + "kubeadm.x86_64                 1.35.4-150500.1.1                 @kubernetes\n"
                + "Available Packages\n"
                + "kubeadm.x86_64                 1.36.0-150500.1.1                 kubernetes\n"
                + "kubeadm.x86_64                 1.36.2-150500.1.1                 kubernetes\n";
        assertThat(PackageManager.parseVersions(out, false)).containsExactly(KubernetesVersion.of("1.35.4"),
                KubernetesVersion.of("1.36.0"), KubernetesVersion.of("1.36.2"));
    }
}
