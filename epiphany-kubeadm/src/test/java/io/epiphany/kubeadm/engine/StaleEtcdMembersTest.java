package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * After a corrupting race etcd may hold members no master runs: the next plan shows the removal of the provably
 * stale ones (never started, or a dead duplicate of a serving member's name, at an address no machine has), one at a
 * time under the quorum rules, and the apply after converges (issue 10 #1).
 */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class StaleEtcdMembersTest {
    @Test
    void anUnstartedMemberAndADeadDuplicateOfAMastersNameAreRemovedOneAtATime(
            @Fleet(masters = 3, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of());
            c.apply(f.options());
            assertThat(f.etcdctl("m1", "member", "add", "ghost", "--peer-urls=https://10.10.1.99:2380").ok()).isTrue();
            f.fleet.addDeadEtcdMember("m2", "10.10.1.98");

            Plan plan = c.plan(f.options());
            List<PlannedStep> removals = plan.steps().stream().filter(s -> s.action().startsWith("stale etcd member"))
                    .toList();
            assertThat(removals).hasSize(2).allMatch(s -> s.kind() == PlannedStep.Kind.REMOVE);
            assertThat(removals.get(0).action()).contains("(never started)").contains("10.10.1.99");
            assertThat(removals.get(1).action()).contains("m2 (peer https://10.10.1.98:2380)");
            assertThat(removals.get(0).toString() + removals.get(1)).contains("5 members (3 healthy)")
                    .contains("4 members (3 healthy)").contains("3 members, quorum 2");
            assertThat(plan.steps()).as("nothing else: m2 itself stays").hasSize(2);

            c.apply(f.options());
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3");
            assertThat(f.fleet.etcdHistory()).filteredOn(h -> h.startsWith("member remove")).hasSize(2);
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void onlyMembersThatProvablyServeNoMasterAreStale() {
        EtcdMember serving = member("a", "m2", true);
        EtcdMember deadTwin = member("b", "m2", false);
        EtcdMember unstarted = member("c", "", false);
        EtcdMember deadAlone = member("d", "m4", false);
        List<EtcdMember> all = List.of(serving, deadTwin, unstarted, deadAlone);
        assertThat(all).filteredOn(e -> Membership.provablyStale(e, all)).containsExactly(deadTwin, unstarted);
    }

    private static EtcdMember member(String id, String name, boolean healthy) {
        return new EtcdMember(id, name, List.of("https://10.0.0." + id.charAt(0) % 50 + ":2380"), List.of(), false,
                healthy, false);
    }
}
