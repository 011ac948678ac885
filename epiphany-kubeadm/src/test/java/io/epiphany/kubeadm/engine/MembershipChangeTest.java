package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.ConfigException;
import io.epiphany.api.Plan;
import io.epiphany.api.remote.Command;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Adding and removing masters and nodes through apply() of a changed description (issue 6). */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class MembershipChangeTest {
    private static final List<String> NODES = List.of("n1", "n2");

    private static void assertCluster(FleetFixture f, Cluster c, List<String> masters) {
        String via = masters.get(0);
        assertThat(f.etcdMembers(via)).as("etcd members").containsExactlyInAnyOrderElementsOf(masters);
        List<String> expectedNodes = new java.util.ArrayList<>(masters);
        expectedNodes.addAll(NODES);
        assertThat(f.nodes(via)).as("Nodes").containsExactlyInAnyOrderElementsOf(expectedNodes);
        for (String host : expectedNodes) {
            assertThat(f.haproxyServers(host)).as(host + " haproxy.cfg").containsExactlyElementsOf(masters);
            assertThat(f.fleet.host(host).haproxyBackends().get("kube-apiserver")).as(host + "'s running HAProxy")
                    .extracting(io.epiphany.testkit.SimulatedCluster.HaproxyServer::name)
                    .containsExactlyInAnyOrderElementsOf(masters);
        }
        assertThat(c.plan(f.options()).isEmpty()).as("re-plan after the change").isTrue();
    }

    @Test
    void oneToThreeToFiveToThreeToOneMastersKeepsTheDataAndEveryLoadBalancerRight(
            @Fleet(masters = 5, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster one = f.cluster(List.of("m1"), NODES);
            one.apply(f.options());
            f.etcdctl("m1", "put", "/registry/epiphany-test", "kept").orThrow();
            assertCluster(f, one, List.of("m1"));

            Cluster three = f.cluster(List.of("m1", "m2", "m3"), NODES);
            Plan grow = three.plan(f.options());
            assertThat(grow.toString()).contains("etcd 1 member, quorum 1, tolerates 0 failures → 2 members")
                    .contains("2 members only until the next master joins");
            assertThat(grow.toString()).contains("add m2 to the load balancers of 5 hosts (one exec each: the checked "
                    + "file, then HAProxy's runtime API, or a reload where it refuses)");
            f.fleet.host("n1").processes().clear();
            three.apply(grow, f.options());
            assertCluster(f, three, List.of("m1", "m2", "m3"));
            // each joined master reached n1's running HAProxy through its runtime API: no reload
            assertThat(f.fleet.host("n1").processes().commandLines())
                    .filteredOn(l -> l.startsWith("socat") || l.startsWith("systemctl kill")).isNotEmpty()
                    .allMatch(l -> l.startsWith("socat"));

            Cluster five = f.cluster(List.of("m1", "m2", "m3", "m4", "m5"), NODES);
            five.apply(f.options());
            assertCluster(f, five, List.of("m1", "m2", "m3", "m4", "m5"));

            Plan shrink = three.plan(f.options());
            assertThat(shrink.toString()).contains("take m4 out of the load balancers")
                    .contains("etcd 5 members, quorum 3, tolerates 2 failures → 4 members, quorum 3, tolerates 1 failure")
                    .contains("etcd 4 members, quorum 3, tolerates 1 failure → 3 members, quorum 2, tolerates 1 failure");
            // the leaving masters stay in every config until "Remove masters" drains them: no rewrite before that
            assertThat(shrink.byPhase()).doesNotContainKey("Load balancers");
            f.fleet.host("n1").processes().clear();
            three.apply(shrink, f.options());
            assertCluster(f, three, List.of("m1", "m2", "m3"));
            // drained first (the live file marked), then removed from n1's running HAProxy by its runtime API
            assertThat(f.fleet.host("n1").processes().commandLines())
                    .filteredOn(l -> l.startsWith("socat") || l.startsWith("systemctl kill")).isNotEmpty()
                    .allMatch(l -> l.startsWith("socat"));
            assertThat(f.fleet.host("m4").root().resolve("etc/kubernetes/admin.conf")).doesNotExist();
            assertThat(f.fleet.host("m5").root().resolve("etc/haproxy/haproxy.cfg")).doesNotExist();

            one.apply(f.options());
            assertCluster(f, one, List.of("m1"));
            assertThat(f.etcdctl("m1", "get", "/registry/epiphany-test").orThrow().stdout())
                    .contains("kept");
        }
    }

    @Test
    void theFirstMasterCanBeRemovedAndANewMasterAddedAfterwards(
            @Fleet(masters = 4, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1", "m2", "m3"), NODES).apply(f.options());
            Cluster withoutFirst = f.cluster(List.of("m2", "m3", "m4"), NODES);
            withoutFirst.apply(f.options());
            assertCluster(f, withoutFirst, List.of("m2", "m3", "m4"));
            assertThat(f.fleet.host("m1").root().resolve("etc/kubernetes/pki/ca.key")).doesNotExist();
        }
    }

    @Test
    void nodesAreAddedAndRemoved(@Fleet(masters = 1, nodes = 3, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1"), List.of("n1", "n2")).apply(f.options());
            Cluster swapped = f.cluster(List.of("m1"), List.of("n2", "n3"));
            Plan plan = swapped.plan(f.options());
            assertThat(plan.toString()).contains("n3: kubeadm join").contains("n1: drain, kubeadm reset -f");
            swapped.apply(plan, f.options());
            assertThat(f.nodes("m1")).containsExactly("m1", "n2", "n3");
            assertThat(f.fleet.host("n1").root().resolve("etc/kubernetes/kubelet.conf")).doesNotExist();
            assertThat(swapped.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void anUnhealthyMemberThatStaysIsRepairedBeforeHealthyMastersAreRemoved(
            @Fleet(masters = 5, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1", "m2", "m3", "m4", "m5"), List.of()).apply(f.options());
            f.fleet.host("m3").crashControlPlane(); // its etcd member fails; the machine still answers SSH
            Cluster shrink = f.cluster(List.of("m1", "m2", "m3"), List.of());
            Plan plan = shrink.plan(f.options());
            assertThat(plan.byPhase().keySet()).containsSubsequence("Repair", "Remove masters");
            assertThat(plan.byPhase().get("Repair")).extracting(s -> s.host()).containsExactly("m3");
            shrink.apply(plan, f.options());
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3");
        }
    }

    @Test
    void brokenRetiredMastersLeaveFirstWhileTheHealthyKeepQuorumAndALostQuorumIsRefused(
            @Fleet(masters = 5, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1", "m2", "m3", "m4", "m5"), List.of()).apply(f.options());
            f.etcdctl("m1", "put", "/registry/epiphany-test", "kept").orThrow();
            f.fleet.host("m4").crashControlPlane();
            f.fleet.host("m5").crashControlPlane(); // 3 of 5 healthy: quorum (3) holds, with no margin
            Cluster three = f.cluster(List.of("m1", "m2", "m3"), List.of());
            Plan plan = three.plan(f.options());
            assertThat(plan.byPhase().get("Remove broken masters")).filteredOn(s -> s.quorum().isPresent())
                    .extracting(s -> s.host() + " " + s.quorum().orElseThrow()).containsExactly(
                            "m4 etcd 5 members (3 healthy), quorum 3, tolerates 2 failures → 4 members (3 healthy), "
                                    + "quorum 3, tolerates 1 failure",
                            "m5 etcd 4 members (3 healthy), quorum 3, tolerates 1 failure → 3 members, quorum 2, "
                                    + "tolerates 1 failure");
            three.apply(plan, f.options());
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3");
            assertThat(f.etcdctl("m2", "get", "/registry/epiphany-test").orThrow().stdout()).contains("kept");
            // 1 of 3 healthy: quorum is lost and the SDK does not guess the state
            f.fleet.host("m2").crashControlPlane();
            f.fleet.host("m3").crashControlPlane();
            assertThatThrownBy(() -> three.plan(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageMatching("(?s).*(etcd quorum lost\\?|quorum may be lost).*");
        }
    }

    @Test
    void anEvenMasterCountIsRefusedUnlessAllowed(
            @Fleet(masters = 4, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            assertThatThrownBy(() -> f.cluster(List.of("m1", "m2"), List.of())).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("masters").hasMessageContaining("quorum of 2")
                    .hasMessageContaining("allowEvenMasters");
        }
    }

    @Test
    void aDeadMasterIsRemovedOnlyWithTheForceOptionAndThePlanSaysTheHostWasNotCleaned(
            @Fleet(masters = 4, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1", "m2", "m3"), List.of("n1")).apply(f.options());
            f.fleet.host("m3").powerOff();
            Cluster replaced = f.cluster(List.of("m1", "m2", "m4"), List.of("n1"));
            assertThatThrownBy(() -> replaced.plan(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("m3").hasMessageContaining("forceRemoveUnreachable(true)");

            var force = f.optionsBuilder().forceRemoveUnreachable(true).build();
            Plan plan = replaced.plan(force);
            assertThat(plan.toString()).contains("m3: unreachable").contains("NOT cleaned");
            replaced.apply(plan, force);
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m4");
            assertThat(f.nodes("m1")).containsExactly("m1", "m2", "m4", "n1");
            assertThat(f.haproxyServers("n1")).containsExactly("m1", "m2", "m4");
            assertThat(replaced.plan(force).isEmpty()).isTrue();
        }
    }
}
