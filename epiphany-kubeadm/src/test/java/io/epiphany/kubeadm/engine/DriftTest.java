package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApiServer;
import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Networking;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressEvent;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Drift between the description and the running cluster is planned and rolled out, or refused (issue 9). */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class DriftTest {
    private static final List<String> MASTERS = List.of("m1", "m2", "m3");
    private static final List<String> NODES = List.of("n1");

    private static Map<String, String> apiServerFlags(FleetFixture f, String host) throws IOException {
        byte[] manifest = Files.readAllBytes(f.fleet.host(host).root()
                .resolve("etc/kubernetes/manifests/kube-apiserver.yaml"));
        return Manifests.imageAndFlags(manifest).orElseThrow().getValue();
    }

    private static Cluster withApiServerFlag(Cluster c, String flag, String value) {
        return c.toBuilder().apiServer(ApiServer.builder().from(c.apiServer()).putExtraArg(flag, value).build())
                .build();
    }

    /** Hosts of the Reconfigure phase's step events, in the order they happened. */
    private static List<String> reconfigureEvents(FleetFixture f) {
        return f.events.stream().filter(e -> e.phase().equals("Reconfigure control plane"))
                .filter(e -> e.type() == ProgressEvent.Type.STEP_STARTED || e.type() == ProgressEvent.Type.STEP_FINISHED)
                .map(e -> e.type().name().substring(5) + " " + e.host().orElse("")).toList();
    }

    @Test
    void aChangedApiServerFlagIsRolledOutOneMasterAtATimeThenStored(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws IOException {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            c.apply(f.options());
            Cluster changed = withApiServerFlag(c, "default-watch-cache-size", "200");

            Plan plan = changed.plan(f.options());
            assertThat(plan.steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.RECONFIGURE)
                    .extracting(PlannedStep::host).containsExactly("m1", "m2", "m3", "cluster");
            assertThat(plan.toString()).contains("kube-apiserver --default-watch-cache-size: (unset) → 200");
            f.events.clear();
            changed.apply(plan, f.options());

            assertThat(reconfigureEvents(f)).containsExactly("STARTED m1", "FINISHED m1", "STARTED m2",
                    "FINISHED m2", "STARTED m3", "FINISHED m3", "STARTED cluster", "FINISHED cluster");
            for (String m : MASTERS) {
                assertThat(apiServerFlags(f, m)).as(m).containsEntry("default-watch-cache-size", "200");
            }
            assertThat(changed.plan(f.options()).isEmpty()).isTrue();

            // dropping the flag again takes it off every master
            Plan back = c.plan(f.options());
            assertThat(back.toString()).contains("--default-watch-cache-size=200 → kubeadm's default");
            c.apply(back, f.options());
            assertThat(apiServerFlags(f, "m2")).doesNotContainKey("default-watch-cache-size");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aRolloutThatFailsOnOneMasterStopsThereAndTheNextApplyFinishesIt(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws IOException {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            c.apply(f.options());
            Cluster changed = withApiServerFlag(c, "default-watch-cache-size", "300");
            f.fleet.host("m2").faults().failCommand("kubeadm init phase control-plane", 1,
                    "error execution phase control-plane: SIMULATED");
            assertThatThrownBy(() -> changed.apply(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("Reconfigure control plane failed on m2");
            assertThat(apiServerFlags(f, "m1")).containsEntry("default-watch-cache-size", "300");
            assertThat(apiServerFlags(f, "m3")).as("the master after the failed one is untouched")
                    .doesNotContainKey("default-watch-cache-size");

            f.fleet.host("m2").faults().clear();
            Plan rest = changed.plan(f.options());
            assertThat(rest.steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.RECONFIGURE)
                    .extracting(PlannedStep::host).containsExactly("m2", "m3", "cluster");
            changed.apply(rest, f.options());
            assertThat(changed.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void anApiServerCertificateMissingItsNamesIsReissuedOnThatMasterOnly(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws IOException {
        try (FleetFixture f = new FleetFixture(fleet)) {
            // a one-master cluster's certificate names only that master: kept aside, then put on m2
            f.cluster(List.of("m1"), NODES).apply(f.options());
            Path pki = Path.of("etc/kubernetes/pki");
            Path aside = Files.createTempDirectory("apiserver-cert");
            for (String file : List.of("apiserver.crt", "apiserver.key")) {
                Files.copy(f.fleet.host("m1").root().resolve(pki.resolve(file)), aside.resolve(file));
            }
            Cluster c = f.cluster(MASTERS, NODES);
            c.apply(f.options());
            for (String file : List.of("apiserver.crt", "apiserver.key")) {
                Files.copy(aside.resolve(file), f.fleet.host("m2").root().resolve(pki.resolve(file)),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            Plan plan = c.plan(f.options());
            assertThat(plan.steps()).filteredOn(s -> s.kind() == PlannedStep.Kind.RECONFIGURE)
                    .singleElement().satisfies(s -> {
                        assertThat(s.host()).isEqualTo("m2");
                        assertThat(s.action()).contains("new API server certificate");
                    });
            c.apply(plan, f.options());
            byte[] cert = Files.readAllBytes(f.fleet.host("m2").root().resolve(pki.resolve("apiserver.crt")));
            assertThat(Manifests.certificate(cert).orElseThrow().names()).contains("10.10.1.12");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void aLabelDroppedFromTheDescriptionIsRemovedAndAForeignLabelStays(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster plain = f.cluster(List.of("m1"), NODES);
            Cluster labelled = plain.toBuilder().nodes(plain.nodes().get(0).withLabel("tier", "web")
                    .withTaint("dedicated=web:NoSchedule")).build();
            labelled.apply(f.options());
            f.run("m1", HostCommands.kubectl("label", "node", "n1", "team=payments")).orThrow();

            Plan plan = plain.plan(f.options());
            assertThat(plan.byPhase().get("Labels and taints")).extracting(Object::toString).singleElement()
                    .asString().contains("tier-").contains("dedicated:NoSchedule-");
            plain.apply(plan, f.options());
            NodeInfo n1 = FactsGatherer.parseNodes(plain.masters().get(0), f.run("m1", HostCommands.kubectl("get",
                    "nodes", "-o", "json")).orThrow()).stream().filter(n -> n.name().equals("n1")).findFirst()
                    .orElseThrow();
            assertThat(n1.labels()).doesNotContainKey("tier").containsEntry("team", "payments");
            assertThat(n1.taints()).doesNotContain("dedicated=web:NoSchedule");
            assertThat(plain.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void anotherClustersMachinesAreRefusedByPlanAndByReset(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            f.cluster(List.of("m1"), NODES).apply(f.options());
            Cluster other = f.cluster(List.of("m1"), NODES).toBuilder().name("accept").build();
            f.resetCounters();
            assertThatThrownBy(() -> other.plan(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("the machines run cluster 'k8s1'; this description is 'accept'");
            assertThatThrownBy(() -> other.reset("accept", f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("the machines run cluster 'k8s1'");
            assertThat(f.stateChanges()).isZero();
            assertThat(f.writes()).isZero();
            assertThat(f.fleet.host("m1").root().resolve("etc/kubernetes/admin.conf")).exists();
        }
    }

    @Test
    void aDifferentVersionOrNetworkIsRefusedBeforeAnyHostChanges(
            @Fleet(masters = 1, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), NODES);
            c.apply(f.options());
            String older = "1." + (c.version().minor() - 1) + ".0";
            f.resetCounters();
            assertThatThrownBy(() -> c.toBuilder().kubernetesVersion(older).build().plan(f.options()))
                    .isInstanceOf(ApplyException.class).hasMessageContaining("the cluster runs v1.")
                    .hasMessageContaining("downgrades are not supported");
            Cluster otherPods = c.toBuilder().networking(Networking.builder().from(c.networking())
                    .podSubnet("10.250.0.0/16").build()).build();
            assertThatThrownBy(() -> otherPods.plan(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("networking.podSubnet").hasMessageContaining("cannot be changed");
            assertThat(f.stateChanges()).isZero();
        }
    }
}
