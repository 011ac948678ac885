package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.kubeadm.render.HostSetupFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * An etcd snapshot taken inside a master's etcd container ({@code etcdctl snapshot save} into the data directory,
 * which the container mounts from the host), copied to this machine as a file only its owner can read, its SHA-256
 * and size compared with the master's, and removed from the master.
 */
final class EtcdSnapshot {
    static final String DATA_DIR = "/var/lib/etcd";

    private EtcdSnapshot() {}

    static Path save(Context ctx, Machine master, Path dir, String label) {
        RemoteHost h = ctx.host(master);
        String stamp = Instant.now().toString().replaceAll("[^0-9T]", "");
        String remote = DATA_DIR + "/epiphany-snapshot-" + stamp + ".db";
        Path local = dir.resolve(ctx.cluster.name() + "-" + label + "-" + stamp + ".db");
        try {
            Etcd.run(ctx.cluster, h, false, "snapshot", "save", remote).orThrow();
            CommandResult sum = h.run(io.epiphany.api.remote.Command.of("sha256sum", remote).asRoot().readOnly())
                    .orThrow();
            byte[] body = h.read(remote).orElseThrow(() -> new IllegalStateException(remote + " vanished"));
            String expected = sum.stdout().strip().split("\\s+")[0];
            String actual = FactsGatherer.sha256(body);
            if (!actual.equals(expected)) {
                throw new ApplyException(UpgradePhase.TITLE, master.hostname(), "the snapshot copied from " + remote
                        + " has SHA-256 " + actual + " but the master's is " + expected + "; nothing was changed",
                        ctx.completed(), ctx.notDone(), null);
            }
            Files.createDirectories(dir);
            Files.write(local, new byte[0], StandardOpenOption.CREATE_NEW);
            Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rw-------"));
            Files.write(local, body, StandardOpenOption.TRUNCATE_EXISTING);
            if (Files.size(local) != body.length || !FactsGatherer.sha256(Files.readAllBytes(local)).equals(expected)) {
                throw new IOException(local + " does not hold what was read from " + master.hostname());
            }
            return local;
        } catch (IOException e) {
            throw new ApplyException(UpgradePhase.TITLE, master.hostname(), "could not write the etcd snapshot to "
                    + local + ": " + e.getMessage() + "; nothing was changed", ctx.completed(), ctx.notDone(), e);
        } finally {
            h.run(HostCommands.remove(remote));
        }
    }
}
