package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Backup;
import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.ControlPlaneConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * In a restore, in place of {@link InitControlPlanePhase}: kubeadm's documented recovery from an etcd backup on the
 * first master. The backup's shared PKI (the CAs with their keys, the service-account pair; never the per-host
 * serving certificates, kubeadm makes those for the new names and addresses) and encryption config are put back;
 * the snapshot is restored into the etcd data directory with a new member list of one member, this master
 * ({@code etcdutl snapshot restore --name --initial-cluster --initial-advertise-peer-urls --data-dir}), run from the
 * etcd image kubeadm deploys (a kubeadm host has no etcd binaries) as a one-off container
 * ({@code ctr -n k8s.io run --rm} with bind mounts: containerd's own client, shipped with containerd; {@code k8s.io}
 * is the namespace the CRI pulls images into); then {@code kubeadm init} on that data with exactly one preflight
 * check ignored, {@code DirAvailable--var-lib-etcd} (its data directory is no longer empty, by design). The snapshot
 * file is removed whatever happens. Then the restored Node objects of every other machine are deleted: machines no
 * longer described would stay NotReady for ever, and the described ones join again and register afresh.
 */
final class RestorePhase implements Phase {
    static final String STAGING = "/var/lib/epiphany-restore";
    static final String SNAPSHOT = STAGING + "/snapshot.db";
    private static final String IGNORE = "--ignore-preflight-errors=DirAvailable--var-lib-etcd";
    private final Backup backup;

    RestorePhase(Backup backup) {
        this.backup = backup;
    }

    @Override
    public String title() {
        return "Restore control plane";
    }

    @Override
    public Work prepare(Context ctx) {
        Machine first = ctx.cluster.masters().get(0);
        Backup.Manifest m = backup.manifest();
        String peer = peerUrl(first);
        PlannedStep restore = PlannedStep.of(title(), first.hostname(), PlannedStep.Kind.INITIALISE, "put the "
                + "backup's shared PKI (" + KubePaths.SHARED_PKI.size() + " files) and encryption config; etcdutl "
                + "snapshot restore (revision " + m.etcdRevision() + ", " + m.etcdKeys() + " keys, taken on "
                + m.takenOn() + " at " + m.created() + ") in the etcd image (ctr -n k8s.io run --rm) into "
                + ControlPlaneConfig.ETCD_DATA_DIR + " with the one member " + first.hostname() + "=" + peer
                + "; kubeadm init " + IGNORE + "; the snapshot removed from the host",
                "etcd none → " + Membership.describe(1, 1));
        String encryption = "config/" + Path.of(ctx.cluster.encryption().configFile()).getFileName();
        if (ctx.cluster.encryption().enabled() && m.parts().stream().noneMatch(p -> p.name().equals(encryption))) {
            ctx.note("the backup holds no encryption config (its cluster did not encrypt Secrets at rest): the "
                    + "description's is written, so Secrets written from now on are encrypted with its key");
        }
        List<String> old = new ArrayList<>();
        for (String member : m.members()) {
            String name = member.split(" ", 2)[0];
            if (!name.isEmpty() && ctx.cluster.machine(name).isEmpty()) {
                old.add(name);
            }
        }
        PlannedStep nodes = PlannedStep.of(title(), Context.CLUSTER, PlannedStep.Kind.REMOVE, "delete the Node "
                + "objects restored from the backup except " + first.hostname() + "'s"
                + (old.isEmpty() ? "" : " (machines no longer described: " + String.join(", ", old) + ")")
                + ": the other described machines join again and register afresh", null);
        return Work.inOrder(List.of(new Step(restore, () -> restore(ctx, first)),
                new Step(nodes, () -> deleteOtherNodes(ctx, first))));
    }

    private void restore(Context ctx, Machine first) {
        RemoteHost h = ctx.host(first);
        Set<String> keep = new HashSet<>();
        for (String relative : KubePaths.SHARED_PKI) {
            String path = KubePaths.pki(ctx.cluster, relative);
            put(h, path, backup.part("pki/" + relative), relative.endsWith(".key") ? 0600 : 0644);
        }
        encryptionPart(ctx.cluster, backup).ifPresent(content -> {
            put(h, ctx.cluster.encryption().configFile(), content, 0600);
            keep.add(ctx.cluster.encryption().configFile());
        });
        String image = etcdImage(ctx, h);
        try {
            h.upload(RemoteFile.of(SNAPSHOT, backup.part(Backup.SNAPSHOT), 0600).secret());
            String dataDir = ControlPlaneConfig.ETCD_DATA_DIR;
            // kubeadm makes the data directory 0700 itself; it must exist to be bind-mounted
            h.run(Command.of("mkdir", "-p", dataDir).asRoot()).orThrow();
            h.run(Command.of("chmod", "0700", dataDir).asRoot()).orThrow();
            h.run(Command.of("ctr", "-n", "k8s.io", "run", "--rm",
                    "--mount", "type=bind,src=" + STAGING + ",dst=" + STAGING + ",options=rbind:ro",
                    "--mount", "type=bind,src=" + dataDir + ",dst=" + dataDir + ",options=rbind:rw",
                    image, "epiphany-etcd-restore", "etcdutl", "snapshot", "restore", SNAPSHOT,
                    "--name", first.hostname(), "--initial-cluster", first.hostname() + "=" + peerUrl(first),
                    "--initial-advertise-peer-urls", peerUrl(first), "--data-dir", dataDir).asRoot()).orThrow();
        } finally {
            h.run(HostCommands.remove(SNAPSHOT));
            h.run(Command.of("rmdir", STAGING).asRoot());
        }
        if (h.run(HostCommands.fileExists(SNAPSHOT)).ok()) {
            throw new ApplyException(title(), first.hostname(), SNAPSHOT + " is still there after rm -f: remove it "
                    + "by hand (it holds every Secret of the cluster)", ctx.completed(), ctx.notDone(), null);
        }
        InitControlPlanePhase.init(ctx, first, keep, IGNORE);
    }

    /** The etcd image kubeadm deploys for this version and registry (a mirror when set), which holds etcdutl. */
    private String etcdImage(Context ctx, RemoteHost h) {
        CommandResult r = h.run(SetupFactsReader.imagesList(ctx.cluster).readOnly());
        return SetupFactsReader.lines(r).stream().filter(l -> l.matches("[A-Za-z0-9./:_-]+/etcd:[A-Za-z0-9._-]+"))
                .findFirst().orElseThrow(() -> new ApplyException(title(), h.hostname(), "`kubeadm config images "
                        + "list` named no etcd image (exit " + r.exitCode() + " " + r.stderrTail(3) + ")",
                        ctx.completed(), ctx.notDone(), null));
    }

    /** The backup's encryption config, when the description encrypts Secrets (checked before: the backup has one). */
    static Optional<byte[]> encryptionPart(io.epiphany.api.Cluster cluster, Backup backup) {
        if (!cluster.encryption().enabled()) {
            return Optional.empty();
        }
        String name = "config/" + Path.of(cluster.encryption().configFile()).getFileName();
        return backup.manifest().parts().stream().anyMatch(p -> p.name().equals(name))
                ? Optional.of(backup.part(name)) : Optional.empty();
    }

    private void deleteOtherNodes(Context ctx, Machine first) {
        RemoteHost h = ctx.host(first);
        CommandResult r = h.run(FactsGatherer.NODES).orThrow();
        for (NodeInfo n : FactsGatherer.parseNodes(first, r)) {
            if (!n.name().equals(first.hostname())) {
                h.run(HostCommands.kubectl("delete", "node", n.name())).orThrow();
            }
        }
    }

    private static void put(RemoteHost h, String path, byte[] content, int mode) {
        h.upload(RemoteFile.of(path, content, mode).secret());
    }

    private static String peerUrl(Machine m) {
        return "https://" + (m.ip().contains(":") ? "[" + m.ip() + "]" : m.ip()) + ":2380";
    }
}
