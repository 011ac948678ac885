package io.epiphany.kubeadm.engine;

import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.kubeadm.render.ControlPlaneConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a running control plane differs from its description, read from each master's static pod manifests,
 * certificate and shared files, and from the ClusterConfiguration stored in the cluster. A flag the description
 * dropped is found by the stored config still naming it with the value the manifest has; the stored config is
 * replaced only after every master was changed, so an interrupted rollout is found again by the next plan.
 */
final class Drift {
    /** What one master must change. */
    record Master(Machine machine, List<String> flags, boolean certificate, boolean auditPolicy,
            boolean encryptionConfig) {
        boolean isEmpty() {
            return flags.isEmpty() && !certificate && !auditPolicy && !encryptionConfig;
        }

        /** Manifests are regenerated when a flag differs or a file the API server reads at start changed. */
        boolean restartsApiServer() {
            return !flags.isEmpty() || auditPolicy;
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            if (!flags.isEmpty()) {
                parts.add("flags " + flags);
            }
            if (certificate) {
                parts.add("new API server certificate (names missing from the current one)");
            }
            if (auditPolicy) {
                parts.add("audit policy rewritten");
            }
            if (encryptionConfig) {
                parts.add("encryption config written");
            }
            return String.join("; ", parts);
        }
    }

    private Drift() {}

    /** The names every master's API server certificate must carry: the local endpoints and its own address. */
    static List<String> requiredNames(Machine master) {
        return List.of("localhost", "127.0.0.1", master.ip());
    }

    static List<Master> masters(Context ctx) {
        Map<String, Map<String, String>> desired = ControlPlaneConfig.flags(ctx.cluster);
        Optional<String> auditSha = renderedSha(ctx, ctx.cluster.apiServer().audit().enabled()
                ? ctx.cluster.apiServer().audit().policyFile() : null);
        List<Master> out = new ArrayList<>();
        for (Machine m : ctx.cluster.masters()) {
            Optional<ControlPlaneFacts> cp = ctx.facts.controlPlane(m);
            if (!ctx.facts.joinedMaster(m) || cp.isEmpty() || cp.get().flags().isEmpty()) {
                continue;
            }
            List<String> flags = new ArrayList<>();
            desired.forEach((component, want) -> flags.addAll(flagChanges(component, want, cp.get().flags(component),
                    ctx.facts.stored().map(s -> s.extraArgs().getOrDefault(component, Map.of())).orElse(Map.of()))));
            Set<String> names = new HashSet<>(Optional.ofNullable(cp.get().certificates().get("apiserver.crt"))
                    .map(ControlPlaneFacts.Certificate::names).orElse(List.of()));
            boolean certificate = !names.containsAll(requiredNames(m));
            boolean audit = auditSha.isPresent() && !auditSha.get().equals(cp.get().sharedFiles()
                    .get(ctx.cluster.apiServer().audit().policyFile()));
            boolean encryption = ctx.cluster.encryption().enabled()
                    && !cp.get().sharedFiles().containsKey(ctx.cluster.encryption().configFile());
            Master drift = new Master(m, flags, certificate, audit, encryption);
            if (!drift.isEmpty()) {
                out.add(drift);
            }
        }
        return out;
    }

    static List<String> flagChanges(String component, Map<String, String> want, Map<String, String> running,
            Map<String, String> stored) {
        List<String> out = new ArrayList<>();
        want.forEach((flag, value) -> {
            if (!value.equals(running.get(flag))) {
                out.add(component + " --" + flag + ": " + shorten(running.getOrDefault(flag, "(unset)")) + " → "
                        + shorten(value));
            }
        });
        stored.forEach((flag, value) -> {
            if (!want.containsKey(flag) && value.equals(running.get(flag))) {
                out.add(component + " --" + flag + "=" + shorten(value) + " → kubeadm's default (dropped from the "
                        + "description)");
            }
        });
        return out;
    }

    /** How the stored ClusterConfiguration differs from the description's, in words; empty when it does not. */
    static List<String> stored(Context ctx) {
        if (ctx.facts.stored().isEmpty()) {
            return List.of();
        }
        StoredConfig s = ctx.facts.stored().get();
        List<String> out = new ArrayList<>();
        ControlPlaneConfig.flags(ctx.cluster).forEach((component, want) -> {
            if (!want.equals(s.extraArgs().getOrDefault(component, Map.of()))) {
                out.add(component + " extraArgs");
            }
        });
        if (!new HashSet<>(s.certSans()).equals(new HashSet<>(ControlPlaneConfig.certSans(ctx.cluster)))) {
            out.add("apiServer.certSANs");
        }
        return out;
    }

    /** The file at {@code path} as the description renders it for the masters (audit policy, encryption config). */
    static Optional<HostFile> rendered(Context ctx, String path) {
        return ctx.files.initFiles(ctx.cluster.masters().get(0)).stream().filter(f -> f.path().equals(path))
                .findFirst();
    }

    private static Optional<String> renderedSha(Context ctx, String path) {
        return path == null ? Optional.empty() : rendered(ctx, path).map(HostFile::content)
                .map(c -> FactsGatherer.sha256(c.getBytes(StandardCharsets.UTF_8)));
    }

    private static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}
