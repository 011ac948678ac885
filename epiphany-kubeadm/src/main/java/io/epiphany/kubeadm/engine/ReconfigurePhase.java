package io.epiphany.kubeadm.engine;

import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.ControlPlaneConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rolls the description's control-plane settings onto the running masters, kubeadm's documented way ("Reconfiguring
 * a kubeadm cluster"): one master at a time, each only while every etcd member is healthy and its API server ready,
 * and verified again before the next. Per master: the shared files it lacks, a new API server certificate when names
 * are missing ({@code kubeadm init phase certs apiserver}, after the old pair is removed: kubeadm keeps an existing
 * one), new static pod manifests ({@code kubeadm init phase control-plane all}; the kubelet restarts what changed).
 * Last, the ClusterConfiguration is stored ({@code kubeadm init phase upload-config kubeadm}), so masters that join
 * later get the same settings and an interrupted rollout is still visible to the next plan.
 */
final class ReconfigurePhase implements Phase {
    @Override
    public String title() {
        return "Reconfigure control plane";
    }

    @Override
    public Work prepare(Context ctx) {
        if (!ctx.facts.clusterExists()) {
            return Work.none();
        }
        List<Step> steps = new ArrayList<>();
        for (Drift.Master drift : Drift.masters(ctx)) {
            steps.add(new Step(PlannedStep.of(title(), drift.machine().hostname(), PlannedStep.Kind.RECONFIGURE,
                    drift.describe() + "; only while every etcd member is healthy and its API server ready, verified "
                            + "again before the next master", null), () -> reconfigure(ctx, drift)));
        }
        List<String> stored = Drift.stored(ctx);
        if (!stored.isEmpty()) {
            steps.add(new Step(PlannedStep.of(title(), Context.CLUSTER, PlannedStep.Kind.RECONFIGURE, "store the "
                    + "ClusterConfiguration (" + String.join(", ", stored) + ") in kube-system/kubeadm-config", null),
                    () -> store(ctx)));
        }
        return Work.inOrder(steps);
    }

    private void reconfigure(Context ctx, Drift.Master drift) {
        Machine m = drift.machine();
        RemoteHost h = ctx.host(m);
        Health.requireMaster(ctx, title(), m);
        if (drift.auditPolicy()) {
            upload(h, rendered(ctx, ctx.cluster.apiServer().audit().policyFile()));
        }
        if (drift.encryptionConfig()) {
            copyEncryptionConfig(ctx, m);
        }
        h.upload(RemoteFile.of(ControlPlaneConfig.PATH, ControlPlaneConfig.render(ctx.cluster, m), 0600));
        try {
            if (drift.certificate()) {
                h.run(HostCommands.remove(KubePaths.pki(ctx.cluster, "apiserver.crt"),
                        KubePaths.pki(ctx.cluster, "apiserver.key"))).orThrow();
                h.run(HostCommands.kubeadm("init", "phase", "certs", "apiserver", "--config", ControlPlaneConfig.PATH))
                        .orThrow();
            }
            if (drift.restartsApiServer() || drift.encryptionConfig()) {
                // the kubelet replaces the API server's pod: every host stops sending it requests first, as an
                // upgrade or a certificate renewal does, and gets it back once it is ready again
                LoadBalancerPhase.drainEverywhere(ctx, m);
                try {
                    h.run(HostCommands.kubeadm("init", "phase", "control-plane", "all", "--config",
                            ControlPlaneConfig.PATH)).orThrow();
                    Health.awaitMaster(ctx, title(), m, "its control plane was reconfigured");
                } finally {
                    LoadBalancerPhase.readyEverywhere(ctx, m);
                }
            }
        } finally {
            h.run(HostCommands.remove(ControlPlaneConfig.PATH));
        }
        Health.awaitMaster(ctx, title(), m, "its control plane was reconfigured");
    }

    /** The same key on every master: copied from one that has it, written from the description only when none has. */
    private static void copyEncryptionConfig(Context ctx, Machine target) {
        String path = ctx.cluster.encryption().configFile();
        for (Machine m : ctx.cluster.masters()) {
            if (m.equals(target) || !ctx.facts.host(m).reachable()) {
                continue;
            }
            Optional<byte[]> content = ctx.host(m).read(path);
            if (content.isPresent()) {
                ctx.host(target).upload(RemoteFile.of(path, content.get(), 0600).secret());
                return;
            }
        }
        upload(ctx.host(target), rendered(ctx, path));
    }

    private static HostFile rendered(Context ctx, String path) {
        return Drift.rendered(ctx, path).orElseThrow(() -> new IllegalStateException("the SDK renders no " + path));
    }

    private static void upload(RemoteHost h, HostFile f) {
        RemoteFile rf = RemoteFile.of(f.path(), f.content(), f.mode());
        h.upload(f.isSecret() ? rf.secret() : rf);
    }

    private void store(Context ctx) {
        Machine source = ctx.requireSource(title());
        RemoteHost h = ctx.host(source);
        h.upload(RemoteFile.of(ControlPlaneConfig.PATH, ControlPlaneConfig.render(ctx.cluster, source), 0600));
        try {
            h.run(HostCommands.kubeadm("init", "phase", "upload-config", "kubeadm", "--config",
                    ControlPlaneConfig.PATH)).orThrow();
        } finally {
            h.run(HostCommands.remove(ControlPlaneConfig.PATH));
        }
    }
}
