package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * apt (Debian, Ubuntu) or dnf (RHEL 9 family) on one host: repositories, exact versions, holds. The command lines are
 * docs/host-commands.md's "Host preparation" table; every value goes through {@link Command}'s quoting.
 */
final class PackageManager {
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(15);

    private final Cluster cluster;
    private final OsFamily os;
    private final String codename;

    PackageManager(Cluster cluster, OsFamily os, String codename) {
        this.cluster = cluster;
        this.os = os;
        this.codename = codename;
    }

    /** The Kubernetes packages at the cluster's exact version: {@code 1.37.0-1.1} (pkgs.k8s.io deb) or {@code -1.37.0}. */
    List<String> pinned(List<String> packages) {
        return pinned(packages, cluster.version());
    }

    /** The packages at another version (an upgrade's hop). */
    List<String> pinned(List<String> packages, io.epiphany.api.KubernetesVersion version) {
        String v = version.major() + "." + version.minor() + "." + version.patch();
        return packages.stream().map(p -> os.apt() ? p + "=" + v + "-1.1" : p + "-" + v).toList();
    }

    /** Configures the Kubernetes repository when its files are not the rendered ones. */
    void kubernetesRepository(RemoteHost h, SetupFacts f) {
        kubernetesRepository(h, f, cluster.version());
    }

    /**
     * The repository of {@code v}'s minor. pkgs.k8s.io has one repository per minor, each with its own key: an
     * upgrade's new list fetches that minor's key (the key file is replaced, not kept).
     */
    void kubernetesRepository(RemoteHost h, SetupFacts f, io.epiphany.api.KubernetesVersion v) {
        if (os.apt()) {
            aptRepository(h, f, HostSetupFiles.KUBERNETES_APT_KEY, HostSetupFiles.kubernetesAptKeyUrl(cluster, v),
                    HostSetupFiles.KUBERNETES_APT_LIST, HostSetupFiles.kubernetesAptList(cluster, v));
        } else if (!f.fileIs(HostSetupFiles.KUBERNETES_YUM_REPO, HostSetupFiles.kubernetesYumRepo(cluster, v))) {
            h.upload(RemoteFile.of(HostSetupFiles.KUBERNETES_YUM_REPO, HostSetupFiles.kubernetesYumRepo(cluster, v),
                    0644));
        }
    }

    /** Configures the container-runtime repository when its files are not the rendered ones. */
    void containerRuntimeRepository(RemoteHost h, SetupFacts f) {
        if (os.apt()) {
            aptRepository(h, f, HostSetupFiles.DOCKER_APT_KEY, HostSetupFiles.dockerAptKeyUrl(cluster, os.distribution),
                    HostSetupFiles.DOCKER_APT_LIST, HostSetupFiles.dockerAptList(cluster, os.distribution, codename));
        } else if (!f.fileIs(HostSetupFiles.DOCKER_YUM_REPO, HostSetupFiles.dockerYumRepo(cluster))) {
            h.upload(RemoteFile.of(HostSetupFiles.DOCKER_YUM_REPO, HostSetupFiles.dockerYumRepo(cluster), 0644));
        }
    }

    /**
     * An apt repository: its key when missing or when the list changes (a new list is a new repository, whose key may
     * differ: pkgs.k8s.io signs each minor separately), the list when it differs, then {@code apt-get update}.
     */
    private void aptRepository(RemoteHost h, SetupFacts f, String keyPath, String keyUrl, String listPath,
            String list) {
        boolean listCurrent = f.fileIs(listPath, list);
        if (!listCurrent || !f.files().containsKey(keyPath)) {
            h.run(Command.of("mkdir", "-p", HostSetupFiles.APT_KEYRINGS).asRoot()).orThrow();
            h.run(Command.of("curl", "-fsSL", "--max-time", "60", "-o", keyPath, keyUrl).asRoot()).orThrow();
        }
        if (!listCurrent) {
            h.upload(RemoteFile.of(listPath, list, 0644));
        }
        // apt knows a repository only after an update; cheap when nothing changed, so always after a list was checked
        h.run(Command.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update").asRoot()
                .timeout(INSTALL_TIMEOUT)).orThrow();
    }

    /**
     * The newest version of {@code pkg} in {@code v}'s minor that the configured repositories offer: {@code apt-cache
     * madison} ("   kubeadm | 1.36.4-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages") or {@code dnf
     * list --showduplicates} ("kubeadm.x86_64   1.36.4-150500.1.1   kubernetes", excludes lifted for the listing).
     */
    java.util.Optional<io.epiphany.api.KubernetesVersion> newestPatch(RemoteHost h, String pkg,
            io.epiphany.api.KubernetesVersion v) {
        Command list = os.apt() ? Command.of("apt-cache", "madison", pkg)
                : Command.of("dnf", "list", "--showduplicates", "--disableexcludes=kubernetes", pkg);
        return parseVersions(h.run(list.asRoot().readOnly().timeout(INSTALL_TIMEOUT)).orThrow().stdout(), os.apt())
                .stream().filter(x -> x.major() == v.major() && x.minor() == v.minor())
                .max(java.util.Comparator.naturalOrder());
    }

    /** The upstream versions in madison's or dnf list's output ({@code 1.36.4-1.1} → 1.36.4). */
    static List<io.epiphany.api.KubernetesVersion> parseVersions(String output, boolean apt) {
        List<io.epiphany.api.KubernetesVersion> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = apt ? line.split("\\|") : line.trim().split("\\s+");
            String field = apt ? (f.length >= 3 ? f[1].trim() : "") : (f.length == 3 && f[0].contains(".") ? f[1] : "");
            io.epiphany.api.KubernetesVersion.parse(field.replaceFirst("-[^-]*$", "")).ifPresent(out::add);
        }
        return out;
    }

    /** Installs packages (names with versions as {@link #pinned} makes them, or bare names). */
    void install(RemoteHost h, List<String> packages, boolean kubernetes) {
        List<String> words = new ArrayList<>();
        if (os.apt()) {
            words.addAll(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y"));
            if (kubernetes) {
                words.add("--allow-change-held-packages");
            }
        } else {
            words.addAll(List.of("dnf", "install", "-y"));
            if (kubernetes) {
                words.add("--disableexcludes=kubernetes");
            }
        }
        words.addAll(packages);
        h.run(Command.of(words).asRoot().timeout(INSTALL_TIMEOUT)).orThrow();
    }

    /** apt: {@code apt-mark hold}; dnf: the repository's {@code exclude=} line already holds them. */
    void hold(RemoteHost h, List<String> packages) {
        if (os.apt()) {
            List<String> words = new ArrayList<>(List.of("apt-mark", "hold"));
            words.addAll(packages);
            h.run(Command.of(words).asRoot()).orThrow();
        }
    }
}
