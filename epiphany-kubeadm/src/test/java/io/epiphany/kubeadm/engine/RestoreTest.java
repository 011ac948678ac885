package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.RestoreOptions;
import io.epiphany.api.remote.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.restore(backup)} on the SIMULATED fleet: after a reset, and onto new machines with new names and
 * addresses; what it refuses before touching a host.
 */
class RestoreTest {
    private static final String SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\n"
            + "type: Opaque\ndata:\n  password: czNjcjN0\n";

    @TempDir
    Path dir;

    @Test
    void restoresKeysAndSecretsAfterAResetAndOntoNewMachines() throws IOException {
        Path archive = dir.resolve("k8s1.backup");
        Backup backup;
        try (FleetFixture f = new FleetFixture(3, 1)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
            c.apply(f.options());
            f.etcdctl("m2", "put", "/registry/example/answer", "42").orThrow();
            Files.writeString(f.fleet.host("m1").root().resolve("root/secret.yaml"), SECRET);
            kubectl(f, "m1", "apply", "--server-side", "-f", "/root/secret.yaml");
            backup = c.backup(archive, f.options());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-------");
            f.etcdctl("m1", "put", "/registry/example/after-the-backup", "lost").orThrow();

            f.resetCounters();
            Backup read = backup;
            assertThatThrownBy(() -> c.restore(read, RestoreOptions.defaults(), f.options()))
                    .isInstanceOf(ApplyException.class).hasMessageContaining("still run a cluster")
                    .hasMessageContaining("m1 runs an API server, runs an etcd member, holds /etc/kubernetes/kubelet.conf")
                    .hasMessageContaining("RestoreOptions.replacing(\"k8s1\")");
            // the archive changed after it was read (a forged snapshot, the manifest rewritten to match it)
            Path copy = Files.copy(archive, dir.resolve("copy.backup"));
            Backup held = Backup.verify(copy);
            rewrite(archive, copy, Backup.SNAPSHOT);
            assertThatThrownBy(() -> c.restore(held, RestoreOptions.defaults(), f.options()))
                    .hasMessageContaining("the archive was changed").hasMessageContaining("no host was contacted");
            Cluster other = c.toBuilder().name("k8s2").build();
            assertThatThrownBy(() -> other.restore(read, RestoreOptions.defaults(), f.options()))
                    .hasMessageContaining("cluster 'k8s1'").hasMessageContaining("'k8s2'");
            assertThat(f.writes()).isZero();
            assertThat(f.stateChanges()).isZero();

            c.reset("k8s1", f.options());
            ApplyResult restored = c.restore(Backup.verify(archive), RestoreOptions.defaults(), f.options());

            assertThat(restored.plan().steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.INITIALISE)
                    .singleElement().satisfies(s -> assertThat(s.action()).contains("etcdutl snapshot restore")
                            .contains("m1=https://10.10.1.11:2380"));
            assertRestored(f, "m1", List.of("m1", "m2", "m3"), List.of("m1", "m2", "m3", "n1"));
            assertThat(f.fleet.bootstrapTokenIds()).as("the restore's init token, deleted after the joins").isEmpty();
            assertThat(get(f, "m1", "/registry/example/after-the-backup")).isEmpty();
            assertThat(c.plan(f.options()).steps()).isEmpty();
        }

        // new machines, new names and addresses; the same cluster name and the backup's PKI and encryption config
        try (FleetFixture f = new FleetFixture(3, 0, "r", "w", 20)) {
            Cluster c = f.cluster(List.of("r1", "r2", "r3"), List.of());
            // etcd data left by an interrupted restore: refused, then replaced when confirmed
            Path leftover = f.fleet.host("r1").root().resolve("var/lib/etcd/member/snap/db");
            Files.createDirectories(leftover.getParent());
            Files.writeString(leftover, "SIMULATED leftover");
            assertThatThrownBy(() -> c.restore(Backup.verify(archive), RestoreOptions.defaults(), f.options()))
                    .hasMessageContaining("r1 holds etcd data in /var/lib/etcd/member");
            ApplyResult restored = c.restore(Backup.verify(archive), RestoreOptions.replacing("k8s1"), f.options());

            assertThat(restored.plan().steps()).anySatisfy(s -> assertThat(s.action())
                    .contains("machines no longer described: m1, m2, m3"));
            assertRestored(f, "r2", List.of("r1", "r2", "r3"), List.of("r1", "r2", "r3"));
            byte[] ca = Files.readAllBytes(f.fleet.host("r2").root().resolve("etc/kubernetes/pki/ca.crt"));
            assertThat(ca).isEqualTo(backup.part("pki/ca.crt"));
            assertThat(c.plan(f.options()).steps()).isEmpty();
        }
    }

    private static void assertRestored(FleetFixture f, String via, List<String> masters, List<String> nodes)
            throws IOException {
        assertThat(get(f, via, "/registry/example/answer")).isEqualTo("/registry/example/answer\n42");
        assertThat(kubectl(f, via, "get", "secret", "db", "-n", "default", "-o", "json")).contains("czNjcjN0");
        assertThat(f.etcdMembers(via)).isEqualTo(masters);
        assertThat(f.nodes(via)).isEqualTo(nodes);
        // nothing of the archive but the PKI and the encryption config stays on the first master
        assertThat(f.fleet.host(masters.get(0)).root().resolve(RestorePhase.STAGING.substring(1))).doesNotExist();
    }

    private static String get(FleetFixture f, String master, String key) {
        return f.etcdctl(master, "get", key).orThrow().stdout().trim();
    }

    private static String kubectl(FleetFixture f, String host, String... args) {
        List<String> words = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", KubePaths.ADMIN_CONF));
        words.addAll(List.of(args));
        return f.run(host, Command.of(words).asRoot()).orThrow().stdout();
    }

    /** A copy of the archive with one entry changed and the manifest line of that entry rewritten to match. */
    private static void rewrite(Path from, Path to, String entry) throws IOException {
        byte[] forged = "SIMULATED forged snapshot\n".getBytes();
        String sha = java.util.HexFormat.of().formatHex(sha256(forged));
        try (InputStream in = Files.newInputStream(from); ZipInputStream zin = new ZipInputStream(in);
                OutputStream out = Files.newOutputStream(to); ZipOutputStream zout = new ZipOutputStream(out)) {
            for (ZipEntry e = zin.getNextEntry(); e != null; e = zin.getNextEntry()) {
                byte[] content = zin.readAllBytes();
                if (e.getName().equals(Backup.MANIFEST)) {
                    content = new String(content).lines().map(l -> l.endsWith(" " + entry)
                            ? "part " + sha + " " + forged.length + " " + entry : l)
                            .reduce("", (a, b) -> a + b + "\n").getBytes();
                } else if (e.getName().equals(entry)) {
                    content = forged;
                }
                zout.putNextEntry(new ZipEntry(e.getName()));
                zout.write(content);
                zout.closeEntry();
            }
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
