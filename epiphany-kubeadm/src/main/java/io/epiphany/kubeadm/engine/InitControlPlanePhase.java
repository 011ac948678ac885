package io.epiphany.kubeadm.engine;

import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.CaCertHash;
import java.util.List;

/**
 * {@code kubeadm init} on the first master, only when the facts show no cluster anywhere: no master holds
 * admin.conf. The bootstrap token is the SDK's own (in the rendered InitConfiguration) and the CA hash is computed
 * from the new CA, never parsed from kubeadm's output.
 */
final class InitControlPlanePhase implements Phase {
    @Override
    public String title() {
        return "Initialise control plane";
    }

    @Override
    public Work prepare(Context ctx) {
        if (ctx.facts.clusterExists()) {
            return Work.none();
        }
        Machine first = ctx.cluster.masters().get(0);
        PlannedStep step = PlannedStep.of(title(), first.hostname(), PlannedStep.Kind.INITIALISE, "write kubeadm "
                + "init config, encryption config and audit policy; kubeadm init with controlPlaneEndpoint "
                + ctx.cluster.loadBalancer().endpoint(), "etcd none → " + Membership.describe(1, 1));
        return Work.inOrder(List.of(new Step(step, () -> init(ctx, first))));
    }

    private static void init(Context ctx, Machine first) {
        if (ctx.facts.host(first).kubeletConf()) {
            // a previous init stopped half-way: kubeadm's preflight would refuse the leftovers
            ctx.host(first).run(HostCommands.kubeadm("reset", "-f")).orThrow();
        }
        init(ctx, first, java.util.Set.of());
    }

    /**
     * Writes the rendered init files but those at {@code keep} (put there already, e.g. a restored encryption
     * config), runs {@code kubeadm init} with {@code flags} added, and records the CA hash and token for the joins.
     */
    static void init(Context ctx, Machine first, java.util.Set<String> keep, String... flags) {
        RemoteHost h = ctx.host(first);
        for (HostFile f : ctx.files.initFiles(first)) {
            if (keep.contains(f.path())) {
                continue;
            }
            RemoteFile rf = RemoteFile.of(f.path(), f.content(), f.mode());
            h.upload(f.isSecret() ? rf.secret() : rf);
        }
        List<String> args = new java.util.ArrayList<>(List.of("init", "--config", KubePaths.INIT_CONFIG));
        args.addAll(List.of(flags));
        h.run(HostCommands.kubeadm(args.toArray(String[]::new)).secret(ctx.cluster.secrets().bootstrapToken()))
                .orThrow();
        byte[] ca = h.read(KubePaths.pki(ctx.cluster, "ca.crt")).orElseThrow(() -> new IllegalStateException(
                "kubeadm init exited 0 but " + KubePaths.pki(ctx.cluster, "ca.crt") + " is missing"));
        ctx.caCertHash(CaCertHash.of(ca));
        ctx.token(ctx.cluster.secrets().bootstrapToken());
        ctx.source(first);
    }
}
