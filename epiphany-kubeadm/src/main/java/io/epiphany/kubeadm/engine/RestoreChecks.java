package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.RestoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restore refuses, before it changes any host: an archive that does not verify (again: it may have changed
 * since it was read), a backup of another cluster or another Kubernetes version, encrypted Secrets the description
 * could not decrypt, and machines that still run a cluster unless the caller confirmed replacing it.
 */
final class RestoreChecks {
    static final String PHASE = "Restore";
    private static final String ETCD_MEMBER = io.epiphany.kubeadm.render.ControlPlaneConfig.ETCD_DATA_DIR + "/member";

    private RestoreChecks() {}

    /** The archive verified again against its recorded SHA-256, and matched against the description. */
    static Backup archive(Cluster cluster, Backup given) {
        Backup backup;
        try {
            backup = Backup.verify(given.path(), given.archiveSha256());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw refuse(e.getMessage() + "; no host was contacted");
        }
        Backup.Manifest m = backup.manifest();
        if (!m.cluster().equals(cluster.name())) {
            throw refuse("the backup " + backup.path() + " is of cluster '" + m.cluster() + "' and this description "
                    + "is '" + cluster.name() + "': restore it with a description named '" + m.cluster() + "'");
        }
        String running = m.kubernetesVersion().replaceFirst("^v", "");
        if (!running.equals(cluster.version().toString().replaceFirst("^v", ""))) {
            throw refuse("the backup is of Kubernetes " + running + " and the description asks for "
                    + cluster.version() + ": etcd's data is that release's; restore with kubernetesVersion " + running
                    + ", then upgrade");
        }
        List<String> names = m.parts().stream().map(Backup.Part::name).toList();
        for (String relative : KubePaths.SHARED_PKI) {
            if (!names.contains("pki/" + relative)) {
                throw refuse("the backup has no pki/" + relative + ": the cluster's identity cannot be restored");
            }
        }
        String encryption = "config/" + Path.of(cluster.encryption().configFile()).getFileName();
        if (names.contains(encryption) && !cluster.encryption().enabled()) {
            throw refuse("the backup's Secrets are encrypted at rest (it holds " + encryption + ") and the "
                    + "description turns encryption off: they would be unreadable; enable encryption (the backup's "
                    + "config is put back)");
        }
        return backup;
    }

    /** Why each machine counts as running a cluster: an API server, an etcd member, a kubelet.conf. */
    static List<String> live(Cluster cluster, Facts facts, Hosts hosts) {
        List<String> out = new ArrayList<>();
        for (Machine m : cluster.machines()) {
            HostFacts f = facts.host(m);
            if (!f.reachable()) {
                continue; // refused by host validation with the transport error
            }
            List<String> what = new ArrayList<>();
            if (cluster.isMaster(m) && Etcd.container(cluster, hosts.get(m), "kube-apiserver").isPresent()) {
                what.add("runs an API server");
            }
            if (f.controlPlane().map(ControlPlaneFacts::etcdRunning).orElse(false)) {
                what.add("runs an etcd member");
            }
            if (f.kubeletConf()) {
                what.add("holds " + KubePaths.KUBELET_CONF);
            }
            if (cluster.isMaster(m) && what.isEmpty() && hosts.get(m).run(HostCommands.fileExists(ETCD_MEMBER)).ok()) {
                // an etcd member's data without a running etcd: an interrupted restore, or a cluster that crashed
                what.add("holds etcd data in " + ETCD_MEMBER);
            }
            if (!what.isEmpty()) {
                out.add(m.hostname() + " " + String.join(", ", what));
            }
        }
        return out;
    }

    /**
     * After the machines were reset (replacing was confirmed): a master whose etcd data the reset skipped (it had no
     * kubeconfig, so no cluster of kubeadm's) is reset by kubeadm too, which empties the data directory.
     */
    static void clearEtcdData(Context ctx, List<String> live) {
        List<Machine> stale = ctx.cluster.masters().stream()
                .filter(m -> live.contains(m.hostname() + " holds etcd data in " + ETCD_MEMBER)).toList();
        if (stale.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        ctx.tell(l -> l.phaseStarted(Teardown.PHASE, List.of()));
        for (Machine m : stale) {
            ctx.step(PlannedStep.of(Teardown.PHASE, m.hostname(), PlannedStep.Kind.RESET, "kubeadm reset -f (etcd "
                    + "data without a cluster in " + ETCD_MEMBER + ")", null),
                    () -> ctx.host(m).run(HostCommands.kubeadm("reset", "-f")).orThrow());
        }
        ctx.tell(l -> l.phaseFinished(Teardown.PHASE, Context.since(start)));
    }

    static void refuseLive(Cluster cluster, List<String> live, RestoreOptions options) {
        if (!live.isEmpty() && options.replacingCluster().isEmpty()) {
            throw refuse("the machines still run a cluster (" + String.join("; ", live) + "): a restore would "
                    + "destroy it. Nothing was changed. To replace it with the backup, confirm with "
                    + "RestoreOptions.replacing(\"" + cluster.name() + "\") (CLI: --replace " + cluster.name()
                    + "); its machines are then reset first");
        }
    }

    static ApplyException refuse(String why) {
        return new ApplyException(PHASE, null, why, List.of(), List.of("everything: no host was changed by restore"),
                null);
    }
}
