package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The drain policy of {@link ApplyOptions} against the SIMULATED kubectl drain, which refuses what the real one
 * refuses: Pods without a controller (without --force), emptyDir Pods (without --delete-emptydir-data), a
 * PodDisruptionBudget that allows no disruption (retried until --timeout).
 */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class DrainPolicyTest {
    @TempDir
    Path snapshots;

    @Test
    void theFlagsFollowThePolicyWithSafeDefaults() {
        assertThat(Removal.drainArguments(ApplyOptions.defaults(), "n1")).containsExactly("drain", "n1",
                "--ignore-daemonsets", "--timeout=300s", "--delete-emptydir-data");
        ApplyOptions all = ApplyOptions.builder().drainTimeout(Duration.ofMinutes(2))
                .drainGracePeriod(Duration.ofSeconds(45)).drainDeleteEmptyDirData(false).drainForce(true)
                .drainDisableEviction(true).build();
        assertThat(Removal.drainArguments(all, "n1")).containsExactly("drain", "n1", "--ignore-daemonsets",
                "--timeout=120s", "--grace-period=45", "--force", "--disable-eviction");
        assertThatThrownBy(() -> ApplyOptions.builder().drainTimeout(Duration.ofSeconds(30))
                .drainGracePeriod(Duration.ofSeconds(30)).build()).hasMessageContaining("drainGracePeriod");
        assertThatThrownBy(() -> ApplyOptions.builder().drainTimeout(Duration.ZERO).build())
                .hasMessageContaining("drainTimeout");
    }

    @Test
    void anUpgradeStopsAtPodsTheDrainMustNotTouchAndGoesOnOnceThePolicyOrTheBudgetAllows(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK, kubeadmVersion = "v1.35.4",
                    etcdVersion = "3.6.6") SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster base = f.all.toBuilder().kubernetesVersion("1.35.4").build();
            base.apply(options(f).build());
            Cluster target = base.toBuilder().kubernetesVersion("1.36.0").build();
            f.fleet.placePod("n1", "default", "bare", null, false, null);
            f.fleet.placePod("n1", "default", "cache", "ReplicaSet", true, null);
            f.fleet.placePod("n1", "default", "web", "ReplicaSet", false, "web-pdb");
            f.fleet.placePod("n1", "kube-system", "proxy", "DaemonSet", false, null);

            ApplyException e = assertThrows(ApplyException.class, () -> target.apply(options(f)
                    .drainDeleteEmptyDirData(false).build()));
            assertThat(e.host()).contains("n1");
            assertThat(e.getMessage()).contains("error: unable to drain node \"n1\", aborting command...")
                    .contains("cannot delete Pods with local storage (use --delete-emptydir-data to override): "
                            + "default/cache")
                    .contains("cannot delete Pods that declare no controller (use --force to override): default/bare")
                    .contains("drainForce(true)").contains("drainDeleteEmptyDirData(true)");
            assertThat(f.fleet.pods("n1")).as("nothing evicted").hasSize(4);

            e = assertThrows(ApplyException.class, () -> target.apply(options(f).drainForce(true)
                    .drainTimeout(Duration.ofSeconds(1)).build()));
            assertThat(e.getMessage()).contains("error when evicting pods/\"web\" -n \"default\" (will retry after 5s): "
                    + "Cannot evict pod as it would violate the pod's disruption budget.")
                    .contains("error when evicting pods/\"web\" -n \"default\": global timeout reached: 1s")
                    .contains("PodDisruptionBudget");
            assertThat(f.fleet.pods("n1")).containsExactlyInAnyOrder("default/web", "kube-system/proxy");

            f.fleet.unblockPdb("web-pdb");
            target.apply(options(f).build());
            assertThat(f.fleet.pods("n1")).as("the DaemonSet's Pod stays").containsExactly("kube-system/proxy");
            assertThat(f.fleet.pods("m1")).as("recreated by their controller").containsExactlyInAnyOrder(
                    "default/cache", "default/web");
            assertThat(f.fleet.node("n1").kubeletVersion()).isEqualTo("v1.36.0");
            assertThat(target.plan(options(f).build()).isEmpty()).isTrue();
        }
    }

    private ApplyOptions.Builder options(FleetFixture f) {
        return f.optionsBuilder().upgradeSettleTime(Duration.ZERO).upgradeSnapshotDirectory(snapshots);
    }
}
