package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressEvent;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Creating and converging clusters on the SIMULATED fleet (issue 5). */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class CreateClusterTest {
    @Test
    void seedTopologyIsCreatedVerifiedAndAReapplyChangesNothing(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1", "n2"));
            Plan plan = c.plan(f.options());
            assertThat(plan.byPhase().keySet()).containsExactly("Prepare kernel", "Install Kubernetes packages",
                    "Install container runtime", "Pull control-plane images", "Load balancers",
                    "Initialise control plane", "Install CNI", "Join masters", "Join nodes", "Delete bootstrap token");
            assertThat(plan.toString()).contains("m1: write kubeadm init config")
                    .contains("2 members only until the next master joins");

            ApplyResult result = c.apply(plan, f.options());

            assertThat(result.verified()).containsExactly("5 Nodes Ready", "CoreDNS ready",
                    "etcd members = masters [m1, m2, m3], all healthy",
                    "GET https://localhost:3446/readyz answers ok on all 5 hosts, each HAProxy sending to all 3 "
                            + "masters");
            assertThat(f.etcdMembers("m2")).containsExactly("m1", "m2", "m3");
            assertThat(f.fleet.bootstrapTokenIds()).as("the init token, deleted after the joins").isEmpty();
            assertThat(f.nodes("m3")).containsExactly("m1", "m2", "m3", "n1", "n2");
            for (String host : List.of("m1", "m2", "m3", "n1", "n2")) {
                assertThat(f.haproxyServers(host)).as(host).containsExactly("m1", "m2", "m3");
            }
            // masters joined strictly one at a time, each promoted before the next was added
            assertThat(f.fleet.etcdHistory()).containsSubsequence("member add --learner m2", "member promote m2",
                    "member add --learner m3", "member promote m3");
            assertThat(f.events).extracting(ProgressEvent::type).contains(ProgressEvent.Type.PHASE_STARTED,
                    ProgressEvent.Type.STEP_FINISHED);

            f.resetCounters();
            Plan again = c.plan(f.options());
            assertThat(again.isEmpty()).as(again.toString()).isTrue();
            ApplyResult second = c.apply(again, f.options());
            assertThat(second.unchanged()).isTrue();
            assertThat(f.writes()).as("files written by a converged re-apply").isZero();
            assertThat(f.stateChanges()).as("state-changing commands of a converged re-apply").isZero();
            RoundTrips.check(f, c);
        }
    }

    @Test
    void aSingleMasterIsTheSameFlowWithOneBackend(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1"), List.of()).apply(f.options());
            assertThat(f.fleet.bootstrapTokenIds()).isEmpty();
            Cluster c = f.cluster(List.of("m1"), List.of("n1"));
            assertThat(c.plan(f.options()).steps()).last().extracting(PlannedStep::kind)
                    .isEqualTo(PlannedStep.Kind.CLEANUP);
            ApplyResult r = c.apply(f.options());
            assertThat(f.fleet.bootstrapTokenIds()).as("the token created for n1's join, deleted after it").isEmpty();
            assertThat(r.verified()).contains("etcd members = masters [m1], all healthy");
            assertThat(f.haproxyServers("n1")).containsExactly("m1");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aNonRootLoginAppliesThroughSudoAndAReapplyWritesNothing(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK, sshUser = "ubuntu") SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            assertThat(f.all.ssh().user()).isEqualTo("ubuntu");
            Cluster c = f.cluster(List.of("m1"), List.of("n1"));
            ApplyResult r = c.apply(f.options());
            assertThat(r.verified()).contains("etcd members = masters [m1], all healthy");
            assertThat(f.haproxyServers("n1")).containsExactly("m1");
            assertThat(f.fleet.host("m1").root().resolve("etc/kubernetes/pki/ca.key")).exists();
            f.fleet.hosts().forEach(h -> h.resetCounters());
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
            c.apply(f.options());
            f.fleet.hosts().forEach(h -> assertThat(h.writeCount()).as(h.hostname()).isZero());
        }
    }

    @Test
    void zonesLabelsAndTaintsAreSetOnceAndKept(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster plain = f.cluster(List.of("m1"), List.of("n1"));
            Cluster c = plain.toBuilder().nodes(plain.nodes().get(0).withZone("eu-1a").withLabel("tier", "web")
                    .withTaint("dedicated=web:NoSchedule")).build();
            Plan plan = c.plan(f.options());
            assertThat(plan.byPhase().get("Labels and taints")).extracting(Object::toString).containsExactly(
                    "n1: label [tier=web, topology.kubernetes.io/zone=eu-1a], taint [dedicated=web:NoSchedule], record the "
                    + "SDK's keys [epiphany.io/managed-labels=tier,topology.kubernetes.io/zone, "
                    + "epiphany.io/managed-taints=dedicated:NoSchedule]");
            c.apply(plan, f.options());
            var n1 = FactsGatherer.parseNodes(c.masters().get(0), f.run("m1", HostCommands.kubectl("get", "nodes",
                    "-o", "json")).orThrow()).stream().filter(n -> n.name().equals("n1")).findFirst().orElseThrow();
            assertThat(n1.labels()).containsEntry("tier", "web").containsEntry("topology.kubernetes.io/zone", "eu-1a");
            assertThat(n1.taints()).contains("dedicated=web:NoSchedule");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void kubeconfigComesFromAMasterAndCanPointAtAMastersOwnAddress(
            @Fleet(masters = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), List.of());
            c.apply(f.options());
            Kubeconfig k = new Provisioner().kubeconfig(c, f.options());
            assertThat(k.server()).isEqualTo("https://localhost:3446");
            assertThat(k.withServerOf(c.masters().get(0)).server()).isEqualTo("https://10.10.1.11:6443");
            assertThat(k.toString()).doesNotContain("client-key-data").contains("****");
            assertThat(k.yaml()).contains("client-key-data");
        }
    }

    @Test
    void resetNeedsTheClusterNameAndLeavesHostsReadyForAFreshApply(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
            c.apply(f.options());
            assertThatThrownBy(() -> c.reset("yes", f.options())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reset(\"k8s1\")");

            c.reset("k8s1", f.options());

            assertThat(f.fleet.host("m1").root().resolve("etc/kubernetes/admin.conf")).doesNotExist();
            assertThat(f.fleet.host("n1").root().resolve("etc/haproxy/haproxy.cfg")).doesNotExist();
            assertThat(f.fleet.host("m2").root().resolve("etc/kubernetes/enc/encryption-config.yaml")).doesNotExist();
            Plan fresh = c.plan(f.options());
            assertThat(fresh.byPhase()).containsKey("Initialise control plane");
            assertThat(c.apply(fresh, f.options()).verified()).hasSize(4);
        }
    }

    @Test
    void aPlanIsRefusedWhenTheHostsChangedSinceItWasMade(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), List.of("n1"));
            Plan plan = c.plan(f.options());
            f.run("n1", io.epiphany.api.remote.Command.of("sysctl", "-p", "/dev/null").asRoot());
            f.fleet.host("n1").removeBinary("curl");
            assertThatThrownBy(() -> c.apply(plan, f.options())).hasMessageContaining("changed since this plan");
        }
    }
}
