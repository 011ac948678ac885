package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A fault in each phase gives a precise error, and the next apply converges (issue 5). */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class ConvergeAfterFailureTest {
    private static final List<String> MASTERS = List.of("m1", "m2", "m3");
    private static final List<String> NODES = List.of("n1", "n2");

    @Test
    void anUnreachableHostStopsThePlanBeforeAnythingChanges(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            f.fleet.host("n2").faults().unreachable(true);
            assertThatThrownBy(() -> c.apply(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("Validate hosts failed on n2").hasMessageContaining("n2: unreachable")
                    .hasMessageContaining("no host was changed");
            assertThat(f.writes()).isZero();
            f.fleet.host("n2").faults().clear();
            assertThat(c.apply(f.options()).verified()).hasSize(4);
        }
    }

    @Test
    void aFailingMasterJoinNamesHostPhaseCommandExitCodeAndStderrThenConverges(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            f.fleet.host("m3").faults().failCommand("kubeadm join", 1,
                    "error execution phase preflight: [preflight] Some fatal errors occurred: SIMULATED");
            ApplyException e = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                    () -> c.apply(f.options()));
            assertThat(e.phase()).isEqualTo("Join masters");
            assertThat(e.host()).contains("m3");
            assertThat(e.getMessage()).contains("kubeadm join --config /etc/kubernetes/epiphany/kubeadm-join.yaml")
                    .contains("exited 1").contains("Some fatal errors occurred: SIMULATED")
                    .contains("completed before the failure").contains("m2: copy the 8 shared PKI files")
                    .contains("not done").contains("n1: kubeadm join");
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2");

            f.fleet.host("m3").faults().clear();
            assertThat(c.apply(f.options()).verified()).contains("etcd members = masters [m1, m2, m3], all healthy");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aFailingReloadIsReportedAndTheNextApplyConverges(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            f.fleet.host("n1").faults().failCommand("systemctl kill", 1,
                    "Failed to kill unit haproxy.service: Connection timed out (SIMULATED)");
            ApplyException e = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                    () -> c.apply(f.options()));
            assertThat(e.getMessage()).contains("n1").contains("systemctl kill --kill-who=main --signal=SIGUSR2 haproxy")
                    .contains("exited 1").contains("Failed to kill unit haproxy.service");
            f.fleet.host("n1").faults().clear();
            c.apply(f.options());
            assertThat(f.haproxyServers("n1")).containsExactly("m1", "m2", "m3");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aConnectionDroppedDuringANodeJoinIsReportedAndTheNextApplyConverges(
            @Fleet(masters = 1, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), NODES);
            c.plan(f.options()); // warm: the drop below counts commands from here
            f.fleet.host("n2").faults().failCommand("kubeadm join", 255, "");
            f.fleet.host("n2").faults().dropConnectionAfter(0);
            ApplyException e = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                    () -> c.apply(f.options()));
            assertThat(e.getMessage()).contains("n2");
            f.fleet.host("n2").faults().clear();
            assertThat(c.apply(f.options()).verified()).contains("3 Nodes Ready");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }
}
