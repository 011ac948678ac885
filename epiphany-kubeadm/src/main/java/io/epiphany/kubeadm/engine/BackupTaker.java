package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.ControlPlaneConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Cluster#backup(Path)}: on the first master whose etcd member is healthy, {@code etcdctl snapshot save} inside
 * its etcd container to a file under the etcd data directory (the one host directory besides {@code <pki>/etcd} the
 * container mounts), {@code etcdutl snapshot status -w json} to check it (a revision and keys), the file read over
 * SSH and removed (and checked gone), then the shared PKI, the encryption config and the audit policy of the same
 * master, all written into one {@link Backup} archive. Changes nothing in the cluster; the archive's secrets never
 * reach a log.
 */
public final class BackupTaker {
    static final String PHASE = "Backup";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupTaker() {}

    public static Backup take(Cluster cluster, Path archive, ApplyOptions options) {
        if (options.remoteAccess().isPresent()) {
            return take(cluster, archive, options, options.remoteAccess().get());
        }
        try (RemoteAccess access = RemoteAccess.load()) {
            return take(cluster, archive, options, access);
        }
    }

    /**
     * What one master gave: the snapshot (a local 0600 file beside the archive, deleted once it is written) and the
     * other parts of the archive, and what the manifest says about them.
     */
    private record Taken(Machine master, List<String> members, long revision, long keys, Path snapshot,
                         Map<String, byte[]> parts) {}

    private static Backup take(Cluster cluster, Path archive, ApplyOptions options, RemoteAccess access) {
        Hosts hosts = new Hosts(cluster, access);
        // the version the cluster runs, which a restore needs, not the described one (they differ before an upgrade)
        String running = cluster.masters().stream().map(m -> {
            try {
                return FactsGatherer.storedConfig(hosts.get(m)).map(StoredConfig::kubernetesVersion);
            } catch (RuntimeException e) {
                return Optional.<String>empty();
            }
        }).flatMap(Optional::stream).filter(v -> !v.isEmpty()).findFirst().orElse(cluster.version().toString());
        return take(cluster, archive, options, hosts, running);
    }

    /** Within a running operation (an upgrade's first step), over its hosts' sessions; {@code version}: running. */
    static Backup take(Cluster cluster, Path archive, ApplyOptions options, Hosts hosts, String version) {
        Taken t = fromFirstHealthyMaster(cluster, hosts, archive);
        try {
            // written only after the master is left clean; a controller-side write error is not retried elsewhere
            return Backup.write(archive, cluster.name(), version.replaceFirst("^v", ""), options.clock().instant(),
                    t.master().hostname(), t.members(), t.revision(), t.keys(), t.snapshot(), t.parts());
        } finally {
            deleteQuietly(t.snapshot());
        }
    }

    /** A hidden 0600 file beside the archive for the snapshot: the same disk, and no wider mode than the archive's. */
    private static Path localSnapshotFile(Path archive) {
        Path dir = archive.toAbsolutePath().getParent();
        try {
            return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(dir, "." + archive.getFileName(), ".snapshot",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, "." + archive.getFileName(), ".snapshot");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a file beside " + archive + " for the snapshot", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the snapshot copy " + file + "; delete it by hand: it "
                    + "holds the cluster's Secrets", e);
        }
    }

    private static Taken fromFirstHealthyMaster(Cluster cluster, Hosts hosts, Path archive) {
        List<String> tried = new ArrayList<>();
        for (Machine m : cluster.masters()) {
            try {
                RemoteHost h = hosts.get(m);
                Optional<Etcd.View> view = Etcd.read(cluster, List.of(m), hosts::get, tried);
                Optional<EtcdMember> self = view.flatMap(v -> v.members().stream().filter(e -> e.isPeer(m.ip()))
                        .findFirst());
                if (self.isEmpty() || !self.get().serving()) {
                    tried.add(m.hostname() + ": its etcd member is not healthy");
                    continue;
                }
                Path local = localSnapshotFile(archive);
                try {
                    return snapshot(cluster, m, h, view.get().members(), local);
                } catch (RuntimeException e) {
                    deleteQuietly(local);
                    throw e;
                }
            } catch (RuntimeException e) {
                tried.add(m.hostname() + ": " + e.getMessage());
            }
        }
        throw new io.epiphany.api.ApplyException(PHASE, null, "no master could take an etcd snapshot: " + tried,
                List.of(), List.of("the backup: nothing was written"), null);
    }

    /**
     * The copy is what etcd wrote: its database ({@code totalSize} as etcdutl reports it) followed by the 32-byte
     * SHA-256 of that database, which etcd appends to every snapshot it streams (server/etcdserver/api/v3rpc
     * maintenance.go; {@code snapshot restore --skip-hash-check} exists for a bare db copied from a data dir).
     */
    static void checkIntegrity(Path snapshot, long databaseSize, String file) {
        long size;
        byte[] hash;
        byte[] trailer;
        try (InputStream in = Files.newInputStream(snapshot)) {
            size = Files.size(snapshot);
            if (databaseSize <= 0 || size != databaseSize + 32) {
                throw new IllegalStateException("read " + size + " bytes of " + file + ", but etcdutl reports a "
                        + databaseSize + "-byte database, and etcd appends a 32-byte SHA-256 to a snapshot");
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (long left = databaseSize; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IllegalStateException(snapshot + " ended early");
                }
                md.update(buf, 0, n);
                left -= n;
            }
            hash = md.digest();
            trailer = in.readNBytes(32);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the snapshot copy " + snapshot, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
        if (!MessageDigest.isEqual(hash, trailer)) {
            throw new IllegalStateException(file + " as read does not end with the SHA-256 of its database: changed "
                    + "after etcd wrote it, or damaged on the way");
        }
    }

    private static Taken snapshot(Cluster cluster, Machine m, RemoteHost h, List<EtcdMember> members, Path local) {
        String container = Etcd.container(cluster, h).orElseThrow(() -> new IllegalStateException(
                "no running etcd container"));
        String file = ControlPlaneConfig.ETCD_DATA_DIR + "/epiphany-backup-"
                + HexFormat.of().formatHex(randomBytes()) + ".db";
        JsonNode status;
        try {
            Etcd.run(cluster, h, false, "snapshot", "save", file).orThrow();
            CommandResult s = h.run(Etcd.etcdutl(cluster, container, "snapshot", "status", file, "-w", "json")
                    .readOnly()).orThrow();
            status = JSON.readTree(s.stdout());
            if (status.path("revision").asLong(0) <= 0 || status.path("totalKey").asLong(0) <= 0) {
                throw new IllegalStateException("`etcdutl snapshot status` does not show a usable snapshot: "
                        + s.stdout().trim());
            }
            if (!h.download(file, local)) {
                throw new IllegalStateException(file + " is gone after the save");
            }
            checkIntegrity(local, status.path("totalSize").asLong(-1), file);
        } catch (IOException e) {
            throw new IllegalStateException("`etcdutl snapshot status` printed something that is not JSON", e);
        } finally {
            h.run(HostCommands.remove(file));
        }
        if (h.run(HostCommands.fileExists(file)).ok()) {
            throw new IllegalStateException(file + " is still on " + m.hostname() + " after rm -f");
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (String relative : KubePaths.SHARED_PKI) {
            parts.put("pki/" + relative, required(h, KubePaths.pki(cluster, relative)));
        }
        for (String path : KubePaths.sharedConfigFiles(cluster)) {
            parts.put("config/" + Path.of(path).getFileName(), required(h, path));
        }
        List<String> described = members.stream().map(e -> e.name() + " " + String.join(",", e.peerUrls())).toList();
        return new Taken(m, described, status.path("revision").asLong(), status.path("totalKey").asLong(), local,
                parts);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] required(RemoteHost h, String path) {
        return h.read(path).orElseThrow(() -> new IllegalStateException(h.hostname() + " has no " + path));
    }
}
