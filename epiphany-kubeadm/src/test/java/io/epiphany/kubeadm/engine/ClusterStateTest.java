package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Finding;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The engine sees health and repairs or replaces a broken master (issue 9). */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class ClusterStateTest {
    private static final List<String> NODES = List.of("n1");

    private static List<String> steps(Plan plan, PlannedStep.Kind kind) {
        return plan.steps().stream().filter(s -> s.kind() == kind).map(PlannedStep::host).toList();
    }

    @Test
    void aStoppedKubeletOnAMasterIsAFindingAndApplyStartsItAndVerifies(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), NODES);
            c.apply(f.options());
            f.fleet.host("m2").stopKubelet();

            Plan plan = c.plan(f.options());
            assertThat(plan.isEmpty()).isFalse();
            assertThat(plan.toString()).doesNotContain("no changes");
            assertThat(plan.findings()).extracting(Finding::host).contains("m2");
            assertThat(plan.findings()).filteredOn(x -> x.host().equals("m2")).first()
                    .satisfies(x -> assertThat(x.problem()).contains("kubelet is stopped"));
            assertThat(steps(plan, PlannedStep.Kind.REPAIR)).containsExactly("m2");

            c.apply(plan, f.options());
            Plan after = c.plan(f.options());
            assertThat(after.isEmpty()).as(after.toString()).isTrue();
        }
    }

    @Test
    void etcdDownOnTheFirstMasterStillPlansAndAReplacementConvergesInOneApply(
            @Fleet(masters = 4, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster first = f.cluster(List.of("m1", "m2", "m3"), NODES);
            first.apply(f.options());
            f.etcdctl("m2", "put", "/registry/epiphany-test", "kept").orThrow();
            f.fleet.host("m1").stopEtcd();

            Plan same = first.plan(f.options());
            assertThat(same.findings()).extracting(Finding::host).contains("m1");
            assertThat(steps(same, PlannedStep.Kind.REPAIR)).containsExactly("m1");

            Cluster replaced = f.cluster(List.of("m2", "m3", "m4"), NODES);
            Plan plan = replaced.plan(f.options());
            List<String> membership = plan.steps().stream().filter(s -> s.quorum().isPresent())
                    .map(s -> s.kind() + " " + s.host()).toList();
            assertThat(membership).containsExactly("REMOVE m1", "JOIN m4");
            assertThat(plan.steps().stream().filter(s -> s.host().equals("m1")).findFirst().orElseThrow().quorum())
                    .hasValueSatisfying(q -> assertThat(q).startsWith("etcd 3 members (2 healthy)"));

            int historyBefore = f.fleet.etcdHistory().size();
            replaced.apply(plan, f.options());

            assertThat(f.etcdMembers("m2")).containsExactly("m2", "m3", "m4");
            List<String> history = f.fleet.etcdHistory().subList(historyBefore, f.fleet.etcdHistory().size());
            assertThat(history).as("the broken member leaves before the replacement is added").hasSizeGreaterThan(1);
            assertThat(history.get(0)).startsWith("member remove m1");
            assertThat(history).containsSubsequence("member add --learner m4", "member promote m4");
            assertThat(f.etcdctl("m4", "get", "/registry/epiphany-test").orThrow().stdout()).contains("kept");
            assertThat(f.haproxyServers("n1")).containsExactly("m2", "m3", "m4");
            assertThat(replaced.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aBrokenMasterThatStaysIsRepairedBeforeAMasterJoins(
            @Fleet(masters = 4, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1", "m2", "m3"), NODES).apply(f.options());
            f.fleet.host("m3").stopEtcd();
            Cluster grown = f.all.toBuilder().masters(f.pick(List.of("m1", "m2", "m3", "m4"))).nodes(f.pick(NODES))
                    .build();
            Plan plan = grown.plan(f.options());
            assertThat(plan.byPhase().keySet()).containsSubsequence("Repair", "Join masters");
            grown.apply(plan, f.options());
            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3", "m4");

        }
    }
}
