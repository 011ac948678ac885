package io.epiphany.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SIMULATED package repositories: pkgs.k8s.io's layout ({@code <base>/v1.MINOR/deb/} and {@code /rpm/}, one
 * repository per minor, offering {@code 1.MINOR.0} to {@code 1.MINOR.PATCHES}; Debian versions {@code <v>-1.1}, RPM
 * {@code <v>-150500.1.1}) and Docker's ({@code <base>/debian}, {@code /ubuntu}, {@code /rhel}: {@code containerd.io}
 * 2.1.4). They answer at every base URL in {@link SimulationState#packageBases} (the upstream ones and any mirror);
 * nothing is ever fetched from the network. Keys are SIMULATED text, identified by the real repositories' key IDs.
 */
public final class Repositories {
    public static final String KUBERNETES = "https://pkgs.k8s.io/core:/stable:";
    public static final String DOCKER = "https://download.docker.com/linux";
    /** The minors pkgs.k8s.io has a repository for in the simulation (1.38 is not released yet, 2026-12-16). */
    public static final int FIRST_MINOR = 30;
    public static final int LAST_MINOR = 37;
    /** Each minor's repository offers patches 0..PATCHES. */
    public static final int PATCHES = 4;
    public static final String CONTAINERD_VERSION = "2.1.4";
    /** pkgs.k8s.io's signing key (OBS "isv:kubernetes") and Docker's, as apt names them in NO_PUBKEY. */
    static final String KUBERNETES_KEY_ID = "234654DA9A296436";
    static final String DOCKER_KEY_ID = "8D81803C0EBFCD88";
    static final List<String> KUBERNETES_PACKAGES = List.of("kubeadm", "kubelet", "kubectl", "cri-tools",
            "kubernetes-cni");
    private static final Pattern K8S_PATH = Pattern.compile("/v1\\.(\\d+)/(deb|rpm)/?(.*)");

    private Repositories() {}

    /** One repository the simulation knows: Kubernetes for a minor, or Docker for a distribution path. */
    public record Repo(String base, boolean kubernetes, int minor, String format, String distro, String rest) {
        /** The key ID that signs it. */
        String keyId() {
            return kubernetes ? KUBERNETES_KEY_ID : DOCKER_KEY_ID;
        }

        /** Whether it is the repository's key file URL (Release.key, repomd.xml.key, gpg). */
        boolean isKey() {
            return kubernetes ? rest.equals("Release.key") || rest.equals("repodata/repomd.xml.key")
                    : rest.equals("gpg");
        }

        /** Whether the repository exists (a Kubernetes minor the simulation publishes). */
        boolean exists() {
            return !kubernetes || (minor >= FIRST_MINOR && minor <= LAST_MINOR);
        }

        /** The versions of a package it offers, oldest first (upstream form: 1.37.0, 2.1.4); empty: not here. */
        List<String> versions(String pkg) {
            List<String> out = new ArrayList<>();
            if (kubernetes && exists() && KUBERNETES_PACKAGES.contains(pkg)) {
                int last = pkg.equals("kubernetes-cni") ? 0 : PATCHES;
                for (int p = 0; p <= last; p++) {
                    out.add(pkg.equals("kubernetes-cni") ? "1.7.1" : "1." + minor + "." + p);
                }
            } else if (!kubernetes && pkg.equals("containerd.io")) {
                out.add(CONTAINERD_VERSION);
            }
            return out;
        }
    }

    /** The repository an URL points into, if it is under one of the simulation's base URLs. */
    public static Optional<Repo> parse(SimulationState s, String url) {
        String u = url.replace("$releasever", "9").replace("$basearch", "x86_64");
        for (String base : s.packageBases) {
            String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
            if (!u.startsWith(b + "/")) {
                continue;
            }
            String path = u.substring(b.length());
            Matcher m = K8S_PATH.matcher(path);
            if (m.matches()) {
                return Optional.of(new Repo(b, true, Integer.parseInt(m.group(1)), m.group(2), null, m.group(3)));
            }
            for (String distro : List.of("debian", "ubuntu", "rhel")) {
                if (path.equals("/" + distro) || path.startsWith("/" + distro + "/")) {
                    String rest = path.substring(distro.length() + 1).replaceFirst("^/", "");
                    return Optional.of(new Repo(b, false, 0, distro.equals("rhel") ? "rpm" : "deb", distro, rest));
                }
            }
        }
        return Optional.empty();
    }

    /** The SIMULATED content of a repository's key file. */
    static String keyFile(Repo r) {
        return "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: SIMULATED signing key " + r.keyId() + " ("
                + (r.kubernetes() ? "pkgs.k8s.io" : "download.docker.com") + ")\n\nU0lNVUxBVEVE\n"
                + "-----END PGP PUBLIC KEY BLOCK-----\n";
    }

    /** The key ID a key file holds, if it is a SIMULATED key. */
    static Optional<String> keyIdOf(String keyFile) {
        Matcher m = Pattern.compile("SIMULATED signing key ([0-9A-F]{16})").matcher(keyFile);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The host name of an URL ({@code https://host:port/path} → host). */
    static String hostOf(String url) {
        String rest = url.replaceFirst("^[a-z]+://", "");
        int end = rest.length();
        for (char c : new char[] {'/', ':', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return rest.substring(0, end);
    }

    /** The Debian codename of an OS release. */
    static String codename(String osId, String version) {
        return switch (osId + " " + version) {
            case "debian 12" -> "bookworm";
            case "debian 13" -> "trixie";
            case "ubuntu 22.04" -> "jammy";
            case "ubuntu 24.04" -> "noble";
            default -> "";
        };
    }

    /** Binary a package installs, or null. */
    static String binaryOf(String pkg) {
        return switch (pkg) {
            case "kubeadm", "kubelet", "kubectl" -> pkg;
            case "cri-tools" -> "crictl";
            case "containerd.io" -> "containerd";
            default -> null;
        };
    }
}
