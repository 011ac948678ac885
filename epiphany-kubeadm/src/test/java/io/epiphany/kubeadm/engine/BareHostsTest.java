package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.ConfigException;
import io.epiphany.api.HostPreparation;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.HostSystem;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * From bare machines to a Ready cluster on the SIMULATED fleet (issue 11): the hosts have no kubeadm, kubelet,
 * kubectl or containerd, swap is on and the modules are not loaded; kubeadm's preflight and the kubelet refuse what
 * real hosts refuse, and Nodes stay NotReady until the CNI is applied.
 */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class BareHostsTest {
    private static final List<String> MASTERS = List.of("m1", "m2", "m3");
    private static final List<String> NODES = List.of("n1", "n2");

    @Test
    void debianHostsAreTakenToAReadyClusterAndAReapplyChangesNothing(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK, bareHosts = true) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES);
            Plan plan = c.plan(f.options());
            assertThat(plan.steps()).filteredOn(s -> s.phase().equals("Prepare kernel")).hasSize(5)
                    .allSatisfy(s -> assertThat(s.action()).contains("swap off", "load overlay, br_netfilter",
                            "net.bridge.bridge-nf-call-iptables=1"));
            assertThat(plan.steps()).filteredOn(s -> s.phase().equals("Install Kubernetes packages"))
                    .extracting(PlannedStep::action).allSatisfy(a -> assertThat(a).contains("kubeadm=1.37.0-1.1",
                            "kubelet=1.37.0-1.1", "https://pkgs.k8s.io/core:/stable:/v1.37"));
            assertThat(plan.byPhase()).containsKeys("Install container runtime", "Install CNI");

            assertThat(c.apply(plan, f.options()).verified()).contains("5 Nodes Ready", "CoreDNS ready");

            for (String host : List.of("m1", "n2")) {
                HostSystem s = f.fleet.host(host).system();
                assertThat(s.swap()).as("swap on %s", host).isEmpty();
                assertThat(s.modules()).contains("overlay", "br_netfilter");
                assertThat(s.held()).contains("kubeadm", "kubelet");
                assertThat(s.containerd().servesCri()).isTrue();
                assertThat(s.cniConfigFiles()).isNotEmpty();
            }
            assertThat(f.fleet.host("m1").system().packages().get("kubeadm").version()).startsWith("1.37.0");
            f.resetCounters();
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
            c.apply(f.options());
            assertThat(f.stateChanges()).as("a re-apply changes nothing").isZero();
        }
    }

    @Test
    void rockyHostsUseDnfWithTheRepositoryExcludesAsTheHold(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK, bareHosts = true, os = "rocky",
                    osVersion = "9.4") SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), List.of("n1"));
            assertThat(c.apply(f.options()).verified()).contains("2 Nodes Ready", "CoreDNS ready");
            assertThat(f.fleet.host("n1").system().packages().get("kubelet").version()).startsWith("1.37.0");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
        }
    }

    @Test
    void withPreparationOffEveryMissingPieceOfEveryHostIsListedAndNothingIsTouched(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK, bareHosts = true) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(MASTERS, NODES).toBuilder().hostPreparation(false).build();
            f.resetCounters();
            assertThatThrownBy(() -> c.plan(f.options())).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("5 host problem(s)")
                    .hasMessageContaining("m1: missing kubeadm, kubelet, kubectl, containerd, crictl (cri-tools), swap off")
                    .hasMessageContaining("kernel module br_netfilter")
                    .hasMessageContaining("n2: missing kubeadm, kubelet, containerd");
            assertThat(f.writes() + f.stateChanges()).isZero();
        }
    }

    @Test
    void anAirGappedSiteGetsEveryPackageAndImageFromItsMirrors() {
        String mirror = "https://mirror.example/repo";
        // mirrors are not @Fleet attributes: this fleet is started here
        try (FleetFixture f = new FleetFixture(3, 2, SimulatedFleet.Options.defaults().withBareHosts(true)
                .withPackageMirror(mirror).withImageMirror("mirror.example:5000/k8s").withAirGapped(true))) {
            Cluster c = f.cluster(List.of("m1"), List.of("n1")).toBuilder()
                    .hostPreparation(HostPreparation.fromMirrors(mirror, mirror))
                    .imageRepository("mirror.example:5000/k8s").build();
            c.apply(f.options());
            assertThat(f.fleet.packageSources()).isNotEmpty().allSatisfy(r -> assertThat(r).startsWith(mirror));
            assertThat(f.fleet.pulledImages()).isNotEmpty()
                    .allSatisfy(i -> assertThat(i).startsWith("mirror.example:5000/k8s/"));
        }
    }

    @Test
    void cgroupV1AndAnUnsupportedMinorAreRefusedBeforeAnyHostIsTouched(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK, bareHosts = true,
                    cgroupV1 = true) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1"), List.of("n1"));
            f.resetCounters();
            assertThatThrownBy(() -> c.plan(f.options())).hasMessageContaining("m1: cgroup v1")
                    .hasMessageContaining("n1: cgroup v1").hasMessageContaining("failCgroupV1");
            assertThatThrownBy(() -> c.toBuilder().kubernetesVersion("1.38.0").build())
                    .isInstanceOf(ConfigException.class).hasMessageContaining("1.35");
            assertThat(f.writes() + f.stateChanges()).isZero();
        }
    }
}
