package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
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
import java.util.concurrent.CompletableFuture;

/**
 * Reads one machine's {@link SetupFacts}: the read-only commands of docs/host-commands.md ("Host preparation") sent at
 * once over the host's session, then the files. Started by {@link #start} so its commands share the round trip with
 * the other host facts, finished by {@link Pending#finish}.
 */
final class SetupFactsReader {
    /** Files whose content decides a preparation step; read to hash, never logged. */
    static final List<String> FILES = List.of(HostSetupFiles.SYSCTL_PATH, HostSetupFiles.MODULES_PATH,
            HostSetupFiles.CONTAINERD_CONFIG_PATH, HostSetupFiles.KUBERNETES_APT_LIST, HostSetupFiles.DOCKER_APT_LIST,
            HostSetupFiles.KUBERNETES_YUM_REPO, HostSetupFiles.DOCKER_YUM_REPO, HostSetupFiles.KUBERNETES_APT_KEY,
            HostSetupFiles.DOCKER_APT_KEY);

    private SetupFactsReader() {}

    /** The commands in flight for one host. */
    record Pending(RemoteHost host, boolean kernel, CompletableFuture<CommandResult> swap, CompletableFuture<CommandResult> modules,
            CompletableFuture<CommandResult> sysctls, CompletableFuture<CommandResult> cgroup,
            CompletableFuture<CommandResult> containerd, CompletableFuture<CommandResult> images,
            Map<String, CompletableFuture<CommandResult>> enabled, CompletableFuture<CommandResult> held) {

        SetupFacts finish() {
            Map<String, String> release = host.read("/etc/os-release")
                    .map(b -> OsFamily.parse(new String(b, StandardCharsets.UTF_8))).orElse(Map.of());
            Optional<String> fstab = host.read("/etc/fstab").map(b -> new String(b, StandardCharsets.UTF_8));
            Map<String, String> files = new LinkedHashMap<>();
            for (String path : FILES) {
                host.read(path).ifPresent(b -> files.put(path, FactsGatherer.sha256(b)));
            }
            Set<String> on = new HashSet<>();
            enabled.forEach((unit, r) -> {
                if (r.join().ok() && r.join().stdout().strip().equals("enabled")) {
                    on.add(unit);
                }
            });
            if (!kernel) {
                return new SetupFacts(OsFamily.of(release), OsFamily.describe(release),
                        release.getOrDefault("VERSION_CODENAME", ""), false, List.of(), fstab, Set.of(), Map.of(), "?",
                        Optional.empty(), Optional.empty(), Set.of(), Set.of(), Map.copyOf(files));
            }
            return new SetupFacts(OsFamily.of(release), OsFamily.describe(release),
                    release.getOrDefault("VERSION_CODENAME", ""), true, lines(swap.join()), fstab,
                    SetupFactsReader.modules(modules.join()), SetupFactsReader.sysctls(sysctls.join()),
                    cgroup.join().stdout().strip(), containerdVersion(containerd.join()), sandboxImage(images.join()),
                    Set.copyOf(on), Set.copyOf(held.join().ok() ? lines(held.join()) : List.of()), Map.copyOf(files));
        }
    }

    /**
     * Sends the commands. A member ({@code kubelet.conf} present) is not read again (only its files): it was prepared
     * before it joined, its running kubelet shows that still holds, and a re-apply of a converged cluster then costs
     * no extra round trip per host; {@link SetupFacts#kernelRead()} says which. What an upgrade needs of a member
     * (its containerd version) the upgrade reads itself.
     */
    static Pending start(Cluster cluster, RemoteHost h, boolean member) {
        CompletableFuture<CommandResult> notRead = CompletableFuture.completedFuture(null);
        if (member) {
            return new Pending(h, false, notRead, notRead, notRead, notRead, notRead, notRead, Map.of(), notRead);
        }
        Map<String, CompletableFuture<CommandResult>> enabled = new LinkedHashMap<>();
        for (String unit : List.of("kubelet", "containerd")) {
            enabled.put(unit, h.runAsync(Command.of("systemctl", "is-enabled", unit).readOnly()));
        }
        List<String> keys = new ArrayList<>(List.of("sysctl"));
        keys.addAll(HostSetupFiles.SYSCTLS);
        return new Pending(h, true,
                h.runAsync(Command.of("swapon", "--show=NAME", "--noheadings").asRoot().readOnly()),
                h.runAsync(Command.of("lsmod").readOnly()),
                h.runAsync(Command.of(keys).asRoot().readOnly()),
                h.runAsync(Command.of("stat", "-fc", "%T", "/sys/fs/cgroup").readOnly()),
                h.runAsync(containerdVersion()),
                h.runAsync(imagesList(cluster).readOnly()),
                enabled,
                h.runAsync(Command.of("apt-mark", "showhold").readOnly()));
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
