package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
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
        CommandResult r = ctx.host(source).run(HostCommands.kubectl(drainArguments(ctx.options, m.hostname()))
                .timeout(ctx.options.drainTimeout().plusMinutes(1)));
        if (!r.ok()) {
            throw new IllegalStateException(r + ": " + r.stderr().trim() + drainHint(r.stderr()));
        }
    }

    /** kubectl drain's flags from the options' drain policy (ApplyOptions.drain*). */
    static String[] drainArguments(ApplyOptions o, String node) {
        List<String> a = new ArrayList<>(List.of("drain", node, "--ignore-daemonsets",
                "--timeout=" + o.drainTimeout().toSeconds() + "s"));
        o.drainGracePeriod().ifPresent(g -> a.add("--grace-period=" + g.toSeconds()));
        if (o.drainDeleteEmptyDirData()) {
            a.add("--delete-emptydir-data");
        }
        if (o.drainForce()) {
            a.add("--force");
        }
        if (o.drainDisableEviction()) {
            a.add("--disable-eviction");
        }
        return a.toArray(String[]::new);
    }

    /** What the operator can do about each refusal kubectl reports (filters.go, drain.go). */
    private static String drainHint(String stderr) {
        List<String> hints = new ArrayList<>();
        if (stderr.contains("declare no controller")) {
            hints.add("move those Pods away yourself, or set ApplyOptions.drainForce(true) to delete them for good");
        }
        if (stderr.contains("with local storage")) {
            hints.add("set ApplyOptions.drainDeleteEmptyDirData(true): their emptyDir data is lost");
        }
        if (stderr.contains("global timeout reached")) {
            hints.add("a PodDisruptionBudget allows no disruption now (kubectl get pdb -A): scale its application "
                    + "up, or raise ApplyOptions.drainTimeout; drainDisableEviction(true) bypasses budgets");
        }
        return hints.isEmpty() ? "" : "\n    what to do: " + String.join("; ", hints);
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
