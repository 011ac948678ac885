package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.PlannedStep;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One upgrade (1.35 → 1.36 on 3 masters + 2 nodes, both nodes in one batch) interrupted in every stage in turn: the
 * snapshot's copy to the controller, the kubeadm package on the first master, {@code kubeadm upgrade apply}, {@code
 * upgrade node} on the second master, its drain, the third master's kubelet restart, and one worker of the batch.
 * Each apply fails with an {@link ApplyException} naming the phase, the host, what was done and what was not; the
 * cluster keeps its quorum and its API; the next apply resumes from the facts. One fleet for all of it: each
 * failure's re-apply is the next stage's run.
 */
@SimulatedFleetTest
class UpgradeFailureTest {
    private static final String FROM = "1.35.4";
    private static final String KUBEADM = "v" + FROM;
    private static final String TO = "1.36.0";
    private static final String APT_INSTALL = "apt-get install";

    @TempDir
    Path dir;

    private ApplyOptions options(FleetFixture f, Path snapshots) {
        return f.optionsBuilder().upgradeSettleTime(Duration.ZERO).upgradeSnapshotDirectory(snapshots)
                .upgradeMaxUnavailablePercent(100).build();
    }

    @Test
    void aFailureInEachStageIsReportedTheClusterStaysHealthyAndTheNextApplyResumes(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK, kubeadmVersion = KUBEADM,
                    etcdVersion = "3.6.6") SimulatedFleet fleet) throws Exception {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster base = f.all.toBuilder().allowEvenMasters(false).kubernetesVersion(FROM).build();
            Path snapshots = dir.resolve("snapshots");
            base.apply(options(f, snapshots));
            Cluster target = base.toBuilder().kubernetesVersion(TO).build();

            // the snapshot's copy: the controller cannot write the archive (its directory is a file)
            Path notADirectory = Files.writeString(dir.resolve("file"), "x");
            ApplyException e = assertThrows(ApplyException.class, () -> target.apply(options(f,
                    notADirectory.resolve("sub"))));
            assertStopped(f, e, "m1", "backup", "kubeadm upgrade apply");
            try (var left = Files.walk(f.fleet.host("m1").root().resolve("var/lib/etcd"))) {
                assertThat(left.map(Path::toString)).as("no snapshot left on the master")
                        .noneMatch(p -> p.contains("epiphany-backup"));
            }
            assertThat(f.fleet.host("m1").apiserverImage()).endsWith(":v" + FROM);

            failOnce(f, target, snapshots, "m1", APT_INSTALL, "E: Could not get lock /var/lib/dpkg/lock-frontend "
                    + "(SIMULATED)", "m1", "kubeadm upgrade apply");
            assertThat(f.fleet.host("m1").apiserverImage()).endsWith(":v" + FROM);

            failOnce(f, target, snapshots, "m1", "kubeadm upgrade apply", "[upgrade/apply] FATAL: SIMULATED", "m1",
                    "kubeadm upgrade node");
            assertThat(f.haproxyServers("n1")).containsExactly("m1", "m2", "m3");

            failOnce(f, target, snapshots, "m2", "kubeadm upgrade node", "[upgrade/node] FATAL: SIMULATED", "m2",
                    "m3");
            assertThat(f.fleet.host("m1").apiserverImage()).as("m1 stays upgraded").endsWith(":v" + TO);

            failEverywhere(f, List.of("m1", "m2", "m3"), "kubectl --kubeconfig /etc/kubernetes/admin.conf drain m2");
            e = assertThrows(ApplyException.class, () -> target.apply(options(f, snapshots)));
            assertStopped(f, e, "m2", "drain", "m3");
            f.fleet.hosts().forEach(h -> h.faults().clear());

            failOnce(f, target, snapshots, "m3", "systemctl restart kubelet", "Failed to restart kubelet.service "
                    + "(SIMULATED)", "m3", "n1");
            failOnce(f, target, snapshots, "n2", "kubeadm upgrade node", "[upgrade/node] FATAL: SIMULATED", "n2",
                    null);

            List<PlannedStep> rest = target.plan(options(f, snapshots)).steps().stream()
                    .filter(s -> s.kind() == PlannedStep.Kind.UPGRADE).toList();
            assertThat(rest).extracting(PlannedStep::host).containsExactly("n2");
            target.apply(options(f, snapshots));
            assertThat(f.fleet.nodes()).allSatisfy(n -> {
                assertThat(n.kubeletVersion()).isEqualTo("v" + TO);
                assertThat(n.unschedulable()).as("%s uncordoned", n.name()).isFalse();
                assertThat(n.annotations()).doesNotContainKey(UpgradeSteps.DRAINED);
            });
            for (String host : List.of("m1", "m2", "m3")) {
                assertThat(f.fleet.host(host).apiserverImage()).as(host).endsWith(":v" + TO);
                assertThat(f.haproxyServers(host)).containsExactly("m1", "m2", "m3");
            }
            try (var archives = Files.list(snapshots)) {
                // each apply takes a fresh one while the cluster still runs the old version (its newest data), none
                // after kubeadm upgrade apply moved it: the apt failure's, upgrade apply's, and the run that passed it
                assertThat(archives.toList()).as("backups before the control plane changed").hasSize(3);
            }
            f.resetCounters();
            assertThat(target.plan(options(f, snapshots)).isEmpty()).as("re-plan").isTrue();
        }
    }

    /** One command fails on one host; the apply stops there, the cluster is healthy, the fault is removed. */
    private void failOnce(FleetFixture f, Cluster target, Path snapshots, String host, String prefix, String stderr,
            String expectHost, String notDone) {
        f.fleet.host(host).faults().failCommand(prefix, 1, stderr);
        ApplyException e = assertThrows(ApplyException.class, () -> target.apply(options(f, snapshots)));
        assertThat(e.getMessage()).contains(prefix).contains("exited 1").contains(stderr);
        assertStopped(f, e, expectHost, null, notDone);
        f.fleet.host(host).faults().clear();
    }

    private static void failEverywhere(FleetFixture f, List<String> hosts, String prefix) {
        hosts.forEach(h -> f.fleet.host(h).faults().failCommand(prefix, 1, "error: SIMULATED drain failure"));
    }

    private static void assertStopped(FleetFixture f, ApplyException e, String host, String inMessage, String notDone) {
        assertThat(e.phase()).isEqualTo(UpgradePhase.TITLE);
        assertThat(e.host()).contains(host);
        if (inMessage != null) {
            assertThat(e.getMessage()).contains(inMessage);
        }
        if (notDone != null) {
            assertThat(e.notDone()).as("not done").anySatisfy(s -> assertThat(s).contains(notDone));
        }
        assertThat(f.etcdMembers("m1")).as("quorum kept").containsExactly("m1", "m2", "m3");
        assertThat(f.etcdctl("m1", "endpoint", "health", "--cluster").ok()).as("every member healthy").isTrue();
        assertThat(f.nodes("m1")).as("the API answers").containsExactly("m1", "m2", "m3", "n1", "n2");
    }
}
