package io.epiphany.kubeadm.engine;

import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.UpgradeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What one machine does in an upgrade hop, in kubeadm's documented order (kubeadm-upgrade.md): kubeadm package,
 * {@code kubeadm upgrade apply|node}, drain, kubelet and kubectl packages, kubelet restart, Ready, uncordon, settle.
 * A master's API server is drained from every host's HAProxy before kubeadm restarts it and put back only after its
 * {@code /readyz} and every etcd member answer again.
 */
final class UpgradeSteps {
    /** The SDK's mark on a Node it drained for an upgrade: a resumed upgrade uncordons it, and no other. */
    static final String DRAINED = "epiphany.io/upgrade-drained";

    private UpgradeSteps() {}

    /**
     * A backup (etcd snapshot, shared PKI, encryption config: what a restore needs) taken before the first change,
     * written to the options' directory; the result names the archive.
     */
    static Step snapshot(Context ctx, KubernetesVersion from, KubernetesVersion to) {
        Machine via = ctx.facts.etcdVia().flatMap(ctx::machine).orElse(ctx.cluster.masters().get(0));
        Path dir = ctx.options.upgradeSnapshotDirectory();
        return new Step(PlannedStep.of(UpgradePhase.TITLE, via.hostname(), PlannedStep.Kind.UPGRADE, "backup (etcd "
                + "snapshot, shared PKI, encryption config) before " + from + " → " + to + ", written to " + dir
                + " (0600, each part's SHA-256 in its manifest), nothing left on the master", null), () -> {
                    String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                            .withZone(java.time.ZoneOffset.UTC).format(ctx.options.clock().instant());
                    Path archive = dir.resolve(ctx.cluster.name() + "-before-" + to + "-" + stamp + ".zip");
                    try {
                        Files.createDirectories(dir);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("cannot create " + dir, e);
                    }
                    io.epiphany.api.Backup b = BackupTaker.take(ctx.cluster, archive, ctx.options, ctx.hosts,
                            from.toString());
                    ctx.result("backup before the upgrade: " + b.path().toAbsolutePath() + " (sha256 "
                            + b.archiveSha256() + ")");
                });
    }

    static void master(Context ctx, Machine m, UpgradeHop hop, boolean controlPlane, boolean apply,
            boolean kubelet) {
        RemoteHost h = ctx.host(m);
        PackageManager pm = packageManager(ctx, m);
        KubernetesVersion v = hop.version();
        if (controlPlane) {
            Health.awaitMaster(ctx, UpgradePhase.TITLE, m, "before upgrading " + m.hostname());
            v = kubeadmPackage(ctx, m, pm, hop);
            h.upload(RemoteFile.of(UpgradeConfig.PATH, UpgradeConfig.render(ctx.cluster, v), 0600));
            LoadBalancerPhase.drainEverywhere(ctx, m);
            try {
                h.run(HostCommands.kubeadm("upgrade", apply ? "apply" : "node", "--config", UpgradeConfig.PATH))
                        .orThrow();
                Health.awaitMaster(ctx, UpgradePhase.TITLE, m, "kubeadm upgrade " + (apply ? "apply" : "node")
                        + " ran");
            } finally {
                // also after a failure: a master left drained is a lost backend until the next apply; HAProxy's own
                // health check keeps traffic from an API server that is really down
                LoadBalancerPhase.readyEverywhere(ctx, m);
            }
        }
        if (kubelet) {
            kubelet(ctx, m, v, pm, List.of("kubelet", "kubectl"));
            Health.awaitMaster(ctx, UpgradePhase.TITLE, m, "its kubelet was upgraded");
        }
        settle(ctx);
    }

    static void worker(Context ctx, Machine m, UpgradeHop hop) {
        PackageManager pm = packageManager(ctx, m);
        KubernetesVersion v = kubeadmPackage(ctx, m, pm, hop);
        ctx.host(m).run(HostCommands.kubeadm("upgrade", "node")).orThrow();
        kubelet(ctx, m, v, pm, List.of("kubelet"));
        settle(ctx);
    }

    private static PackageManager packageManager(Context ctx, Machine m) {
        SetupFacts s = ctx.facts.host(m).setup();
        return new PackageManager(ctx.cluster, s.os().orElseThrow(), s.codename());
    }

    /**
     * The hop's repository and kubeadm, held: kubeadm first, as every machine's upgrade begins. The hop's version is
     * chosen here on its first machine (the repository is configured now); the version installed is returned.
     */
    private static KubernetesVersion kubeadmPackage(Context ctx, Machine m, PackageManager pm, UpgradeHop hop) {
        RemoteHost h = ctx.host(m);
        pm.kubernetesRepository(h, ctx.facts.host(m).setup(), hop.version());
        String before = hop.describe();
        KubernetesVersion v = hop.resolve(pm, h);
        if (!before.equals(hop.describe())) {
            ctx.result("upgrade hop " + before + " → " + v + ", the newest patch " + m.hostname()
                    + "'s repository offers");
        }
        pm.install(h, pm.pinned(List.of("kubeadm"), v), true);
        pm.hold(h, List.of("kubeadm"));
        return v;
    }

    /** Drain (marked), the kubelet package(s), restart, Ready, uncordon (mark removed). */
    private static void kubelet(Context ctx, Machine m, KubernetesVersion v, PackageManager pm, List<String> packages) {
        RemoteHost h = ctx.host(m);
        Machine source = ctx.requireSource(UpgradePhase.TITLE);
        ctx.host(source).run(HostCommands.kubectl("annotate", "node", m.hostname(), DRAINED + "=" + v,
                "--overwrite")).orThrow();
        Removal.drain(ctx, source, m);
        pm.install(h, pm.pinned(packages, v), true);
        pm.hold(h, packages);
        h.run(Command.of("systemctl", "daemon-reload").asRoot()).orThrow();
        h.run(HostCommands.kubelet("restart")).orThrow();
        Health.awaitNodeReady(ctx, UpgradePhase.TITLE, m, "its kubelet " + v + " restarted");
        ctx.host(source).run(HostCommands.kubectl("uncordon", m.hostname())).orThrow();
        ctx.host(source).run(HostCommands.kubectl("annotate", "node", m.hostname(), DRAINED + "-")).orThrow();
    }

    private static void settle(Context ctx) {
        try {
            Thread.sleep(ctx.options.upgradeSettleTime().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the workloads settled", e);
        }
    }

    /** {@code registry.k8s.io/etcd:3.6.6-0} → {@code 3.6.6}. */
    static Optional<String> etcdVersion(String image) {
        int colon = image.lastIndexOf(':');
        String tag = colon < 0 ? "" : image.substring(colon + 1).replaceFirst("^v", "").replaceFirst("-\\d+$", "");
        return tag.matches("\\d+\\.\\d+\\.\\d+") ? Optional.of(tag) : Optional.empty();
    }

    static boolean olderThan(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int d = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (d != 0) {
                return d < 0;
            }
        }
        return false;
    }
}
