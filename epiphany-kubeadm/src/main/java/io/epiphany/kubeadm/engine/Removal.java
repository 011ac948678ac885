package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.haproxy.HaproxyService;
import java.util.ArrayList;
import java.util.List;

/** Steps shared by removing nodes and masters, in kubeadm's documented order: drain, reset, then delete the Node. */
final class Removal {
    private Removal() {}

    static void drain(Context ctx, Machine source, Machine m) {
        if (ctx.facts.node(m.hostname()).isEmpty()) {
            return;
        }
        long timeout = ctx.options.drainTimeout().toSeconds();
        ctx.host(source).run(HostCommands.kubectl("drain", m.hostname(), "--ignore-daemonsets",
                "--delete-emptydir-data", "--grace-period=" + Math.min(timeout, 30), "--timeout=" + timeout + "s")
                .timeout(ctx.options.drainTimeout().plusMinutes(1))).orThrow();
    }

    /** Deleted last: kubeadm reset finds the etcd member through the Node, and skips it silently when the Node is gone. */
    static void deleteNode(Context ctx, Machine source, Machine m) {
        if (ctx.facts.node(m.hostname()).isEmpty()) {
            return;
        }
        CommandResult r = ctx.host(source).run(HostCommands.kubectl("delete", "node", m.hostname()));
        if (!r.ok() && !r.stderr().contains("NotFound") && !r.stderr().contains("not found")) {
            r.orThrow();
        }
    }

    /** Removes what the SDK put on a machine that left the cluster: its load balancer and its files. */
    static void cleanHost(Context ctx, Machine m, boolean master) {
        if (ctx.facts.host(m).haproxyConfigSha256().isPresent() || ctx.facts.host(m).haproxyActive()) {
            new HaproxyService(ctx.host(m)).remove();
        }
        removeSdkFiles(ctx, m, master);
    }

    /** The kubeadm configs the SDK wrote, and on a master the encryption config and audit policy it copied. */
    static void removeSdkFiles(Context ctx, Machine m, boolean master) {
        List<String> files = new ArrayList<>(List.of(KubePaths.INIT_CONFIG, KubePaths.JOIN_CONFIG));
        if (master) {
            files.addAll(KubePaths.sharedConfigFiles(ctx.cluster));
            if (ctx.cluster.encryption().enabled()) {
                files.add(EncryptionKeys.restartMarker(ctx.cluster));
            }
        }
        ctx.host(m).run(HostCommands.remove(files.toArray(String[]::new))).orThrow();
    }
}
