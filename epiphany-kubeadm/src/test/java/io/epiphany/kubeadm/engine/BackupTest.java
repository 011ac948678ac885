package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.backup(path)} on the SIMULATED fleet: one verified archive, nothing left on the master. */
@SimulatedFleetTest
class BackupTest {
    @TempDir
    Path dir;

    @Test
    void takesASnapshotWithThePkiIntoOneVerifiedArchive(
            @Fleet(masters = 3, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws IOException {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of());
            c.apply(f.options());
            f.etcdctl("m2", "put", "/registry/example/answer", "42").orThrow();
            f.fleet.host("m1").stopEtcd(); // the first master's member is down: the backup is taken on the next one

            Path archive = dir.resolve("k8s1.backup");
            Backup backup = c.backup(archive, f.options());

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-------");
            Backup.Manifest m = backup.manifest();
            assertThat(m.cluster()).isEqualTo("k8s1");
            assertThat(m.takenOn()).isEqualTo("m2");
            assertThat(m.kubernetesVersion()).isEqualTo(c.kubernetesVersion());
            assertThat(m.members()).hasSize(3).anySatisfy(x -> assertThat(x).startsWith("m3 https://10.10.1.13:2380"));
            assertThat(m.etcdKeys()).isPositive();
            assertThat(m.parts()).extracting(Backup.Part::name).containsExactly(Backup.SNAPSHOT, "pki/ca.crt",
                    "pki/ca.key", "pki/sa.key", "pki/sa.pub", "pki/front-proxy-ca.crt", "pki/front-proxy-ca.key",
                    "pki/etcd/ca.crt", "pki/etcd/ca.key",
                    "config/" + Path.of(c.encryption().configFile()).getFileName(),
                    "config/" + Path.of(c.apiServer().audit().policyFile()).getFileName());
            assertThat(new String(backup.part(Backup.SNAPSHOT), StandardCharsets.UTF_8))
                    .contains("/registry/example/answer").contains("42");
            assertThat(backup.toString()).doesNotContain("PRIVATE").contains(backup.archiveSha256());
            // nothing is left in the etcd data directory of the master
            try (Stream<Path> files = Files.list(f.fleet.host("m2").root().resolve("var/lib/etcd"))) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("epiphany-backup"));
            }

            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("the local snapshot copy is deleted")
                        .containsExactly("k8s1.backup");
            }

            Backup read = Backup.verify(archive, backup.archiveSha256());
            assertThat(read.manifest()).isEqualTo(m);

            // a changed part is refused
            Path tampered = dir.resolve("tampered.backup");
            rewrite(archive, tampered, "pki/ca.crt", "-----BEGIN CERTIFICATE-----\nforged\n".getBytes());
            assertThatThrownBy(() -> Backup.verify(tampered)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tampered").hasMessageContaining("pki/ca.crt differs from the manifest");
            // a rewritten manifest passes the part check but not the recorded SHA-256 of the archive
            assertThatThrownBy(() -> Backup.verify(tampered, backup.archiveSha256()))
                    .hasMessageContaining("the archive was changed");
        }
    }

    @Test
    void aSnapshotCopyIsStreamedToAFileAndCheckedAgainstEtcdsTrailer(
            @Fleet(masters = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws Exception {
        try (FleetFixture f = new FleetFixture(fleet)) {
            // larger than any command's output may be (16 MiB): a file download is not an output
            byte[] db = new byte[17 * 1024 * 1024];
            new java.util.Random(7).nextBytes(db);
            byte[] snapshot = java.util.Arrays.copyOf(db, db.length + 32);
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(db);
            System.arraycopy(hash, 0, snapshot, db.length, 32);
            Path remote = f.fleet.host("m1").root().resolve("var/lib/etcd/big.db");
            Files.createDirectories(remote.getParent());
            Files.write(remote, snapshot);
            Path local = Files.createFile(dir.resolve("copy.db"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            var host = f.access.host(f.all.machine("m1").orElseThrow(), f.all.ssh());

            assertThat(host.download("/var/lib/etcd/big.db", local)).isTrue();
            assertThat(Files.mismatch(local, remote)).isEqualTo(-1L);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rw-------");
            BackupTaker.checkIntegrity(local, db.length, "big.db");
            assertThat(host.download("/var/lib/etcd/none.db", dir.resolve("none.db"))).isFalse();
            assertThat(dir.resolve("none.db")).doesNotExist();

            assertThatThrownBy(() -> BackupTaker.checkIntegrity(local, db.length - 1, "big.db"))
                    .hasMessageContaining("etcd appends a 32-byte SHA-256");
            snapshot[12345] ^= 1;
            Files.write(local, snapshot);
            assertThatThrownBy(() -> BackupTaker.checkIntegrity(local, db.length, "big.db"))
                    .hasMessageContaining("does not end with the SHA-256 of its database");
        }
    }

    /** A copy of the archive with one entry's content replaced. */
    private static void rewrite(Path from, Path to, String entry, byte[] content) throws IOException {
        try (InputStream in = Files.newInputStream(from); ZipInputStream zin = new ZipInputStream(in);
                OutputStream out = Files.newOutputStream(to); ZipOutputStream zout = new ZipOutputStream(out)) {
            for (ZipEntry e = zin.getNextEntry(); e != null; e = zin.getNextEntry()) {
                zout.putNextEntry(new ZipEntry(e.getName()));
                zout.write(e.getName().equals(entry) ? content : zin.readAllBytes());
                zout.closeEntry();
            }
        }
    }
}
