package io.epiphany.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.RestoreOptions;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 on the real-OS fleet: backup, reset, restore with the REAL etcd. The backup is a REAL {@code etcdctl
 * snapshot save} in the etcd "container" (the fleet's crictl shim), checked by etcd 3.4's {@code snapshot status}
 * and against the SHA-256 etcd appends; after {@code reset} the restore runs the REAL {@code snapshot restore}
 * through the fleet's ctr shim ({@code system-tests/fleet/ctr-shim.sh}), the SIMULATED {@code kubeadm init} starts
 * the REAL etcd on the restored data directory, and the other masters join it as usual. Keys written to the REAL etcd
 * before the backup are read after the restore, one written after the backup is gone. REAL: OpenSSH with a sudo
 * user, etcd, HAProxy. SIMULATED: kubeadm, kubelet, kubectl, the API servers (stand-ins), ctr and crictl (shims in
 * front of the real etcd tools).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RestoreRealOsTest {
    private static final List<String> MASTERS = List.of("master1", "master2", "master3");
    private static final List<String> NODES = List.of("node1");
    private static final int KEYS = 10;

    private RealOsFleet fleet;

    @BeforeAll
    void startFleet() {
        fleet = FleetClusters.start(MASTERS, NODES, Map.of());
    }

    @AfterAll
    void stopFleet() {
        FleetClusters.stop(fleet);
    }

    @Test
    void keysWrittenBeforeTheBackupAreReadThroughTheRealEtcdAfterAResetAndARestore() throws Exception {
        ApplyOptions options = ApplyOptions.builder().healthTimeout(Duration.ofMinutes(1)).build();
        Cluster c = FleetClusters.cluster(fleet, "restore", MASTERS, NODES);
        c.apply(options);
        for (int i = 0; i < KEYS; i++) {
            FleetClusters.etcdctl(fleet, "master2", "put", "/e2e/restore-" + i, "value-" + i).orThrow();
        }
        Path dir = Files.createTempDirectory("epiphany-restore-e2e");
        Path archive = dir.resolve("restore.backup");

        Backup backup = c.backup(archive, options);
        System.out.println(backup);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-------");
        assertThat(backup.manifest().members()).hasSize(3);
        assertThat(backup.manifest().etcdKeys()).isGreaterThanOrEqualTo(KEYS);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("nothing but the archive beside it")
                    .containsExactly("restore.backup");
        }
        FleetClusters.etcdctl(fleet, "master1", "put", "/e2e/after-the-backup", "lost").orThrow();

        c.reset("restore", options);
        assertThat(FleetClusters.etcdctl(fleet, "master1", "get", "/e2e/restore-0").ok())
                .as("no etcd runs after the reset").isFalse();

        long start = System.nanoTime();
        ApplyResult restored = c.restore(Backup.verify(archive, backup.archiveSha256()), RestoreOptions.defaults(),
                options);
        System.out.printf("FIGURE restore of 3 masters + 1 node from a real etcd snapshot (%d bytes): %d ms%n",
                backup.manifest().parts().get(0).size(), (System.nanoTime() - start) / 1_000_000);
        System.out.println(restored);

        assertThat(restored.plan().steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.INITIALISE)
                .singleElement().satisfies(s -> assertThat(s.host()).isEqualTo("master1"))
                .satisfies(s -> assertThat(s.action()).contains("etcdutl snapshot restore"));
        for (String master : MASTERS) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(FleetClusters.etcdctl(fleet, master, "get", "/e2e/restore-" + i).orThrow().stdout()
                        .lines().toList()).as("/e2e/restore-%d through %s", i, master)
                        .containsExactly("/e2e/restore-" + i, "value-" + i);
            }
        }
        assertThat(FleetClusters.etcdctl(fleet, "master3", "get", "/e2e/after-the-backup").orThrow().stdout())
                .as("written after the backup").isBlank();
        String members = FleetClusters.etcdctl(fleet, "master2", "member", "list").orThrow().stdout();
        assertThat(members.lines().toList()).as(members).hasSize(3)
                .allSatisfy(l -> assertThat(l).contains("started"));
        MASTERS.forEach(m -> assertThat(members).contains(", " + m + ", "));
        assertThat(fleet.exec("master1", "test", "-e", "/var/lib/epiphany-restore/snapshot.db").ok())
                .as("the snapshot is removed from the first master").isFalse();
        io.epiphany.api.Plan again = c.plan(options);
        assertThat(again.isEmpty()).as("a re-plan after the restore:%n%s", again).isTrue();
    }
}
