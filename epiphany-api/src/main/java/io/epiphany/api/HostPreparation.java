package io.epiphany.api;

import org.immutables.value.Value;

/**
 * How the SDK takes bare machines to kubeadm-ready hosts: swap off, the {@code overlay} and {@code br_netfilter}
 * modules, the bridge and forwarding sysctls, containerd 2.x configured for the systemd cgroup driver, and kubeadm,
 * kubelet and kubectl at exactly the cluster's version, held. On by default; {@link #disabled()} for pre-baked
 * images, where the same facts are checked and every missing piece is listed per host, nothing changed. The package
 * repositories are settings so that an air-gapped site can point at its mirror: hosts reach only these.
 */
@Value.Immutable
@SdkStyle
public abstract class HostPreparation {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    HostPreparation() {}

    /** Whether the SDK changes hosts to prepare them (false: only checks). */
    @Value.Default
    public boolean enabled() {
        return true;
    }

    /**
     * Base of the Kubernetes package repository; the SDK appends {@code /v1.<minor>/deb/} or {@code /rpm/}, as
     * pkgs.k8s.io lays it out.
     */
    @Value.Default
    public String kubernetesRepository() {
        return "https://pkgs.k8s.io/core:/stable:";
    }

    /**
     * Base of the container-runtime repository (Docker's, which ships containerd 2.x as {@code containerd.io}); the SDK
     * appends {@code /debian}, {@code /ubuntu} or {@code /rhel}.
     */
    @Value.Default
    public String containerRuntimeRepository() {
        return "https://download.docker.com/linux";
    }

    /** The defaults: prepare hosts from pkgs.k8s.io and download.docker.com. */
    public static HostPreparation defaults() {
        return builder().build();
    }

    /** Check only: for images that already have everything. */
    public static HostPreparation disabled() {
        return builder().enabled(false).build();
    }

    /** Prepare hosts from mirrors of the two repositories. */
    public static HostPreparation fromMirrors(String kubernetesRepository, String containerRuntimeRepository) {
        return builder().kubernetesRepository(kubernetesRepository).containerRuntimeRepository(containerRuntimeRepository)
                .build();
    }

    @Value.Check
    protected void check() {
        for (String[] r : new String[][] {{"hostPreparation.kubernetesRepository", kubernetesRepository()},
                {"hostPreparation.containerRuntimeRepository", containerRuntimeRepository()}}) {
            if (!r[1].matches("(https?|file)://[A-Za-z0-9._~:/@%+-]{1,500}") || r[1].endsWith("/")) {
                throw new IllegalArgumentException(r[0] + ": '" + r[1] + "' must be an http(s):// or file:// URL "
                        + "without a trailing slash, spaces or quotes");
            }
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link HostPreparation}. */
    static class Builder extends ImmutableHostPreparation.Builder {}
}
