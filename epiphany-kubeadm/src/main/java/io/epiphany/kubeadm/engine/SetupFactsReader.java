package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one machine's {@link SetupFacts}: the read-only queries of docs/host-commands.md ("Host preparation"), as
 * sections of the host's one facts script ({@link #queries}), parsed by {@link #read}.
 */
final class SetupFactsReader {
    /** Files whose content decides a preparation step; only their SHA-256 leaves the host. */
    static final List<String> FILES = List.of(HostSetupFiles.SYSCTL_PATH, HostSetupFiles.MODULES_PATH,
            HostSetupFiles.CONTAINERD_CONFIG_PATH, HostSetupFiles.KUBERNETES_APT_LIST, HostSetupFiles.DOCKER_APT_LIST,
            HostSetupFiles.KUBERNETES_YUM_REPO, HostSetupFiles.DOCKER_YUM_REPO, HostSetupFiles.KUBERNETES_APT_KEY,
            HostSetupFiles.DOCKER_APT_KEY);
    static final String OS_RELEASE = "/etc/os-release";
    static final String FSTAB = "/etc/fstab";
    private static final List<String> ENABLED = List.of("kubelet", "containerd");

    private SetupFactsReader() {}

    /**
     * Adds the queries. A member ({@code kubelet.conf} present) is not read again (only its files): it was prepared
     * before it joined, its running kubelet shows that still holds; {@link SetupFacts#kernelRead()} says which. What
     * an upgrade needs of a member (its containerd version) the upgrade reads itself.
     */
    static void queries(Cluster cluster, FactsScript s) {
        s.cat(OS_RELEASE);
        s.cat(FSTAB);
        FILES.forEach(s::sha256);
        List<String> keys = new ArrayList<>(List.of("sysctl"));
        keys.addAll(HostSetupFiles.SYSCTLS);
        s.unlessExists(KubePaths.KUBELET_CONF, g -> {
            for (String unit : ENABLED) {
                g.command("is-enabled " + unit, Command.of("systemctl", "is-enabled", unit).readOnly());
            }
            g.command("swapon", Command.of("swapon", "--show=NAME", "--noheadings").asRoot().readOnly());
            g.command("lsmod", Command.of("lsmod").readOnly());
            g.command("sysctl", Command.of(keys).asRoot().readOnly());
            g.command("cgroup", Command.of("stat", "-fc", "%T", "/sys/fs/cgroup").readOnly());
            g.command("containerd version", containerdVersion());
            g.command("images", imagesList(cluster).readOnly());
            g.command("held", Command.of("apt-mark", "showhold").readOnly());
        });
    }

    /** The facts from the script's output; {@code kernel}: the host is no member, so the kernel queries ran. */
    static SetupFacts read(FactsScript.Result r, boolean kernel) {
        Map<String, String> release = r.file(OS_RELEASE)
                .map(b -> OsFamily.parse(new String(b, StandardCharsets.UTF_8))).orElse(Map.of());
        Optional<String> fstab = r.file(FSTAB).map(b -> new String(b, StandardCharsets.UTF_8));
        Map<String, String> files = new LinkedHashMap<>();
        for (String path : FILES) {
            r.sha256(path).ifPresent(h -> files.put(path, h));
        }
        if (!kernel) {
            return new SetupFacts(OsFamily.of(release), OsFamily.describe(release),
                    release.getOrDefault("VERSION_CODENAME", ""), false, List.of(), fstab, Set.of(), Map.of(), "?",
                    Optional.empty(), Optional.empty(), Set.of(), Set.of(), Map.copyOf(files));
        }
        Set<String> on = new HashSet<>();
        for (String unit : ENABLED) {
            CommandResult c = r.get("is-enabled " + unit);
            if (c.ok() && c.stdout().strip().equals("enabled")) {
                on.add(unit);
            }
        }
        CommandResult held = r.get("held");
        return new SetupFacts(OsFamily.of(release), OsFamily.describe(release),
                release.getOrDefault("VERSION_CODENAME", ""), true, lines(r.get("swapon")), fstab,
                modules(r.get("lsmod")), sysctls(r.get("sysctl")), r.get("cgroup").stdout().strip(),
                containerdVersion(r.get("containerd version")), sandboxImage(r.get("images")), Set.copyOf(on),
                Set.copyOf(held.ok() ? lines(held) : List.of()), Map.copyOf(files));
    }

    static Command containerdVersion() {
        return Command.of("containerd", "--version").readOnly();
    }

    /** The images kubeadm would pull for this cluster (its sandbox image decides containerd's config). */
    static Command imagesList(Cluster cluster) {
        List<String> words = new ArrayList<>(List.of("kubeadm", "config", "images", "list", "--kubernetes-version",
                cluster.version().toString()));
        cluster.imageRepository().ifPresent(r -> words.addAll(List.of("--image-repository", r)));
        return Command.of(words);
    }

    static List<String> lines(CommandResult r) {
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    static Set<String> modules(CommandResult r) {
        Set<String> loaded = new HashSet<>();
        if (r.ok()) {
            r.stdout().lines().skip(1).map(l -> l.strip().split("\\s+")[0])
                    .filter(HostSetupFiles.MODULES::contains).forEach(loaded::add);
        }
        return Set.copyOf(loaded);
    }

    /** {@code key = value} lines; a key sysctl could not stat is left out (exit 255 then, which is expected). */
    static Map<String, String> sysctls(CommandResult r) {
        Map<String, String> values = new HashMap<>();
        for (String line : r.stdout().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && HostSetupFiles.SYSCTLS.contains(line.substring(0, eq).strip())) {
                values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return Map.copyOf(values);
    }

    /** {@code containerd containerd.io 2.1.4 <commit>} or {@code containerd github.com/containerd/containerd/v2 v2.1.4 ...}. */
    static Optional<String> containerdVersion(CommandResult r) {
        String[] w = r.stdout().strip().split("\\s+");
        if (!r.ok() || w.length < 3) {
            return Optional.empty();
        }
        String v = w[2].startsWith("v") ? w[2].substring(1) : w[2];
        return v.matches("\\d+\\.\\d+\\.\\d+[-+.\\w~]*") ? Optional.of(v) : Optional.empty();
    }

    static Optional<String> sandboxImage(CommandResult r) {
        if (!r.ok()) {
            return Optional.empty();
        }
        return lines(r).stream().filter(l -> l.matches("[a-z0-9][a-z0-9.:/_-]*/pause:[A-Za-z0-9._-]+")).findFirst();
    }
}
