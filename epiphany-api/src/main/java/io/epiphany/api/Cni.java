package io.epiphany.api;

import java.nio.file.Path;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * The pod network the SDK installs after the control plane (kubeadm never installs one, and every Node stays NotReady
 * until a CNI writes its config to {@code /etc/cni/net.d}). The upstream choices are pinned releases: a URL that
 * names an immutable tag and the SHA-256 of that file, checked before anything is applied. No third-party manifest is
 * part of the SDK; the file is downloaded by a master (or taken from {@link #manifest(Path)}).
 *
 * <pre>{@code
 * Cni.calico()                                   // Calico v3.32.1, pool from the cluster's podSubnet
 * Cni.flannel().from("https://mirror.example/kube-flannel.yml", "<sha256>")  // a mirror (air-gapped)
 * Cni.manifest(Path.of("my-cni.yaml"))           // a manifest you give
 * Cni.none()                                     // you install your own; Nodes stay NotReady until you do
 * }</pre>
 */
@Value.Immutable
@SdkStyle
public abstract class Cni {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Cni() {}

    /** Calico's manifest at tag v3.32.1 (projectcalico/calico {@code manifests/calico.yaml}). */
    static final String CALICO_URL =
            "https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml";
    static final String CALICO_SHA256 = "a1df919d9721cf667accdc3e72848911b0cb25cfab7d2478ad0c996302c95744";
    /** Flannel's manifest at tag v0.28.9 (flannel-io/flannel {@code Documentation/kube-flannel.yml}). */
    static final String FLANNEL_URL =
            "https://raw.githubusercontent.com/flannel-io/flannel/v0.28.9/Documentation/kube-flannel.yml";
    static final String FLANNEL_SHA256 = "e875824be2f552b45711dbda91af81b17eb961d00025d914d9fef18fad8f09c0";

    /** Which CNI. */
    public enum Kind {
        /** Calico: its IPv4 pool is taken from the kubeadm ClusterConfiguration's podSubnet when the manifest sets none. */
        CALICO,
        /** Flannel: its {@code net-conf.json} Network is set to the cluster's podSubnet. */
        FLANNEL,
        /** A manifest file the user gives; its pod CIDR, where it declares one, must be the cluster's podSubnet. */
        MANIFEST,
        /** Nothing is installed: the user brings a CNI; Verify does not wait for Ready Nodes or CoreDNS. */
        NONE
    }

    public abstract Kind kind();

    /** Where a master downloads the manifest ({@code https://} or {@code file://} on the master). */
    public abstract Optional<String> url();

    /** The SHA-256 the downloaded manifest must have. */
    public abstract Optional<String> sha256();

    /** The local manifest of {@link Kind#MANIFEST}. */
    public abstract Optional<Path> file();

    /** Calico v3.32.1, from GitHub unless {@link #from} names a mirror. */
    public static Cni calico() {
        return builder().kind(Kind.CALICO).url(CALICO_URL).sha256(CALICO_SHA256).build();
    }

    /** Flannel v0.28.9, from GitHub unless {@link #from} names a mirror. */
    public static Cni flannel() {
        return builder().kind(Kind.FLANNEL).url(FLANNEL_URL).sha256(FLANNEL_SHA256).build();
    }

    /** A manifest the user gives, read on this machine and applied as it is (after its pod CIDR is checked). */
    public static Cni manifest(Path file) {
        return builder().kind(Kind.MANIFEST).file(file).build();
    }

    /** No CNI: the user installs one. */
    public static Cni none() {
        return builder().kind(Kind.NONE).build();
    }

    /** The same CNI from another URL (a mirror, another release) with that file's SHA-256. */
    public Cni from(String url, String sha256) {
        if (kind() != Kind.CALICO && kind() != Kind.FLANNEL) {
            throw new IllegalArgumentException("from(url, sha256) is for calico() and flannel(); use manifest(Path) "
                    + "for a file of your own");
        }
        return toBuilder().url(url).sha256(sha256).build();
    }

    /** A short description for plans and messages. */
    public String describe() {
        return switch (kind()) {
            case CALICO, FLANNEL -> kind().name().toLowerCase(java.util.Locale.ROOT) + " from " + url().orElse("?");
            case MANIFEST -> "manifest " + file().map(Path::toString).orElse("?");
            case NONE -> "none";
        };
    }

    @Value.Check
    protected void check() {
        boolean download = kind() == Kind.CALICO || kind() == Kind.FLANNEL;
        if (download != url().isPresent() || download != sha256().isPresent()) {
            throw new IllegalArgumentException("cni: " + kind() + (download ? " needs a url and its sha256"
                    : " takes no url or sha256"));
        }
        if ((kind() == Kind.MANIFEST) != file().isPresent()) {
            throw new IllegalArgumentException("cni: only manifest(Path) takes a file");
        }
        url().ifPresent(u -> {
            if (!u.matches("(https|file)://[A-Za-z0-9._~:/?#\\[\\]@!$&()*+,;=%-]{1,2000}")) {
                throw new IllegalArgumentException("cni.url: '" + u + "' must be an https:// or file:// URL without "
                        + "spaces or quotes");
            }
        });
        sha256().ifPresent(s -> {
            if (!s.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("cni.sha256: must be 64 lower-case hex digits (sha256sum of the "
                        + "manifest)");
            }
        });
    }

    static Builder builder() {
        return new Builder();
    }

    abstract Builder toBuilder();

    /** Builds a {@link Cni}. */
    static class Builder extends ImmutableCni.Builder {}
}
