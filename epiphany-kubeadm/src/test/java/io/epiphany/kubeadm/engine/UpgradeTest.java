package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.remote.Command;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A rolling upgrade of 3 masters + 4 nodes from 1.35 to 1.37 in one apply on the SIMULATED fleet: two hops, the etcd
 * snapshot first, masters one at a time, workers one batch at a time, every host's versions after, an empty re-plan;
 * then the refusals. Each test starts from a fresh 1.35 cluster (one fleet per test: upgrades change it for good).
 */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class UpgradeTest {
    private static final String FROM = "1.35.4";
    /** The fleet's kubeadm and etcd: a 1.35 cluster's. */
    private static final String KUBEADM = "v" + FROM;
    private static final String ETCD = "3.6.6";

    @TempDir
    Path snapshots;

    private ApplyOptions options(FleetFixture f) {
        return f.optionsBuilder().upgradeSettleTime(Duration.ZERO).upgradeSnapshotDirectory(snapshots).build();
    }

    private static Cluster at(FleetFixture f, String version) {
        return f.all.toBuilder().allowEvenMasters(false).kubernetesVersion(version).build();
    }

    @Test
    void upgradesTwoMinorsInOneApplyOneMasterAtATimeAndThenNothingIsLeft(
            @Fleet(masters = 3, nodes = 4, network = FleetFixture.NETWORK, kubeadmVersion = KUBEADM,
                    etcdVersion = ETCD) SimulatedFleet fleet) throws Exception {
        try (FleetFixture f = new FleetFixture(fleet)) {
            at(f, FROM).apply(options(f));
            Cluster target = at(f, "1.37.0");
            Plan plan = target.plan(options(f));
            List<PlannedStep> upgrade = plan.steps().stream().filter(s -> s.kind() == PlannedStep.Kind.UPGRADE).toList();
            assertThat(upgrade).extracting(PlannedStep::host).containsExactly("m1",
                    "m1", "m2", "m3", "n1", "n2", "n3", "n4",
                    "m1", "m2", "m3", "n1", "n2", "n3", "n4");
            assertThat(upgrade.get(0).action()).contains("etcd snapshot", "backup");
            assertThat(upgrade.get(1).action()).contains("→ v1.36.x", "kubeadm upgrade apply v1.36.x",
                    "the newest patch its repository offers");
            assertThat(upgrade.get(2).action()).contains("kubeadm upgrade node");
            assertThat(upgrade.get(8).action()).contains("→ v1.37.0", "kubeadm upgrade apply v1.37.0");

            ApplyResult result = target.apply(options(f));
            // the simulated pkgs.k8s.io offers 1.36.0 to 1.36.4: the intermediate hop goes to the newest
            assertThat(result.verified()).contains("upgrade hop v1.36.x → v1.36.4, the newest patch m1's repository "
                    + "offers");

            String snapshot = result.verified().stream().filter(v -> v.startsWith("backup before")).findFirst()
                    .orElseThrow().replaceFirst("^backup before the upgrade: ", "").replaceFirst(" \\(sha256.*", "");
            assertThat(Path.of(snapshot)).exists().isRegularFile();
            assertThat(io.epiphany.api.Backup.verify(Path.of(snapshot)).manifest().kubernetesVersion()).isEqualTo(FROM);
            assertThat(Files.getPosixFilePermissions(Path.of(snapshot)))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            for (String host : List.of("m1", "m2", "m3", "n1", "n2", "n3", "n4")) {
                assertThat(f.run(host, Command.of("kubeadm", "version", "-o", "short")).stdout().trim())
                        .as("kubeadm on %s", host).isEqualTo("v1.37.0");
                assertThat(f.run(host, Command.of("kubelet", "--version")).stdout().trim())
                        .as("kubelet on %s", host).isEqualTo("Kubernetes v1.37.0");
            }
            assertThat(f.fleet.nodes()).allSatisfy(n -> {
                assertThat(n.kubeletVersion()).isEqualTo("v1.37.0");
                assertThat(n.unschedulable()).as("%s uncordoned", n.name()).isFalse();
                assertThat(n.annotations()).doesNotContainKey(UpgradeSteps.DRAINED);
            });
            assertThat(f.fleet.clusterConfiguration()).get().asString().contains("kubernetesVersion: \"v1.37.0\"");
            assertThat(f.fleet.host("m2").apiserverImage()).endsWith(":v1.37.0");
            f.resetCounters();
            assertThat(target.plan(options(f)).isEmpty()).as("re-plan").isTrue();
            target.apply(options(f));
            assertThat(f.stateChanges()).as("a re-apply changes nothing").isZero();
        }
    }

    @Test
    void anUpgradeInterruptedOnTheSecondMasterIsFinishedByTheNextApply(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK, kubeadmVersion = KUBEADM,
                    etcdVersion = ETCD) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            at(f, FROM).apply(options(f));
            Cluster target = at(f, "1.36.0");
            f.fleet.host("m2").faults().failCommand("kubeadm upgrade node", 1, "simulated failure");
            assertThatThrownBy(() -> target.apply(options(f))).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("m2");
            f.fleet.host("m2").faults().clear();
            Plan again = target.plan(options(f));
            assertThat(again.steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.UPGRADE)
                    .extracting(PlannedStep::host).doesNotContain("m1").contains("m2", "m3", "n1");
            target.apply(options(f));
            assertThat(f.fleet.nodes()).allSatisfy(n -> assertThat(n.kubeletVersion()).isEqualTo("v1.36.0"));
            assertThat(target.plan(options(f)).isEmpty()).isTrue();
        }
    }

    @Test
    void kubeadmsFlakyCreateJobCheckDoesNotStopTheUpgrade(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK, kubeadmVersion = KUBEADM,
                    etcdVersion = ETCD) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            at(f, FROM).apply(options(f));
            f.fleet.failCreateJobChecks(3);
            at(f, "1.36.0").apply(options(f));
            assertThat(f.fleet.clusterConfiguration()).get().asString().contains("v1.36.0");
        }
    }

    @Test
    void aDowngradeAnUnhealthyMemberAndVersionSkewAreRefusedAllAtOnceBeforeAnyHostIsTouched(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK, kubeadmVersion = KUBEADM,
                    etcdVersion = ETCD) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            at(f, FROM).apply(options(f));
            f.resetCounters();
            assertThatThrownBy(() -> at(f, "1.35.0").plan(options(f))).hasMessageContaining("downgrades are not "
                    + "supported");
            f.fleet.host("m2").stopEtcd();
            f.fleet.host("n1").installVersions("v1.33.0", "v1.35.4", "v1.33.0");
            f.resetCounters();
            assertThatThrownBy(() -> at(f, "1.36.0").apply(options(f))).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("3 problem(s)").hasMessageContaining("etcd member m2 is not healthy")
                    .hasMessageContaining("n1: kubectl v1.33.0 is more than one minor from the API server v1.35.4")
                    .hasMessageContaining("n1: kubeadm v1.33.0 is outside 1.34 to v1.36.0")
                    .hasMessageContaining("no host was changed");
            assertThat(f.stateChanges()).as("nothing changed").isZero();
        }
    }
}
