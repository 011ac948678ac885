package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.epiphany.api.Cluster;
import io.epiphany.api.ConfigException;
import io.epiphany.api.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * A user's test gets a fleet by annotation, per method or per class; its cluster points at the simulated hosts; it is
 * closed when its scope ends. The views read the simulation itself.
 */
@SimulatedFleetTest
class SimulatedFleetExtensionTest {
    private static Path lastFleetKey;
    /** The private key of every fleet the nested classes saw, per class: one fleet per class, or one per method. */
    private static final Map<String, Set<Path>> FLEETS = new ConcurrentHashMap<>();

    private static void saw(String scope, SimulatedFleet fleet) {
        FLEETS.computeIfAbsent(scope, k -> ConcurrentHashMap.newKeySet()).add(fleet.privateKey());
    }

    /**
     * Two tests, one static field: one fleet, started before the first test, open until the last. Its two masters are
     * machines, not advice: the extension accepts them, a description of the user's own does not.
     */
    @Nested
    @TestMethodOrder(MethodOrderer.MethodName.class)
    class PerClassField {
        @Fleet(masters = 2, nodes = 1)
        static SimulatedFleet shared;

        @Test
        void a() throws Exception {
            saw("field", shared);
            assertThat(shared.cluster().masters()).extracting(Machine::hostname).containsExactly("m1", "m2");
            assertEvenMastersAreLeftToTheDescription(shared.cluster());
            try (TestSsh ssh = new TestSsh(shared)) {
                assertThat(ssh.run("n1", "mkdir -p /root/left-by-a").exit()).isZero();
            }
        }

        @Test
        void b() throws Exception {
            saw("field", shared);
            assertThat(Files.exists(shared.privateKey())).as("still open").isTrue();
            assertThat(shared.host("n1").root().resolve("root/left-by-a")).as("the same hosts as test a").exists();
        }
    }

    /** A @BeforeAll parameter is per class too; an instance field is per method. */
    @Nested
    class PerClassParameterAndPerMethodField {
        static SimulatedFleet fromBeforeAll;

        @Fleet(nodes = 1)
        SimulatedFleet own;

        @BeforeAll
        static void start(@Fleet(masters = 3) SimulatedFleet fleet) {
            fromBeforeAll = fleet;
        }

        @Test
        void one() {
            check();
        }

        @Test
        void two() {
            check();
        }

        private void check() {
            saw("beforeAll", fromBeforeAll);
            saw("instance", own);
            assertThat(fromBeforeAll.hosts()).hasSize(3);
            assertThat(own.hosts()).extracting(SimulatedHost::hostname).containsExactly("m1", "n1");
            assertThat(Files.exists(fromBeforeAll.privateKey())).isTrue();
        }
    }

    static void assertEvenMastersAreLeftToTheDescription(Cluster fleetCluster) {
        assertThat(fleetCluster.allowEvenMasters()).as("the fleet's own description").isTrue();
        assertThatThrownBy(() -> fleetCluster.toBuilder().allowEvenMasters(false).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("an even number of masters adds no fault "
                        + "tolerance").hasMessageContaining("allowEvenMasters(true)");
        assertThatThrownBy(() -> Cluster.builder().name("mine").masters(fleetCluster.masters()).build())
                .as("a description of the user's own").isInstanceOf(ConfigException.class)
                .hasMessageContaining("an even number of masters");
    }

    @AfterAll
    static void fleetsWereSharedAsAskedAndClosed() {
        assertThat(FLEETS.get("field")).as("one fleet for the class").hasSize(1);
        assertThat(FLEETS.get("beforeAll")).as("one fleet for the class").hasSize(1);
        assertThat(FLEETS.get("instance")).as("one fleet per method").hasSize(2);
        FLEETS.values().stream().flatMap(Set::stream).forEach(key -> assertThat(key).as("closed").doesNotExist());
    }

    @Test
    void viewsReadTheSimulationEtcdMembersNodesAndHaproxyBackends(@Fleet(masters = 1, nodes = 1) SimulatedFleet fleet)
            throws Exception {
        assertThat(fleet.etcdMembers()).isEmpty();
        assertThat(fleet.nodes()).isEmpty();
        assertThat(fleet.haproxyBackends()).containsOnlyKeys("m1", "n1").allSatisfy((h, b) -> assertThat(b).isEmpty());
        try (TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            script.loadBalancer("m1", List.of("10.0.0.11"));
            script.loadBalancer("n1", List.of("10.0.0.11", "10.0.0.12"));
            script.init("m1", "10.0.0.11");
            ssh.put("n1", "/etc/haproxy/haproxy.cfg", ClusterScript.haproxyConfig(List.of("10.0.0.11")));
        }
        assertThat(fleet.etcdMembers()).extracting(SimulatedCluster.EtcdMember::name).containsExactly("m1");
        assertThat(fleet.etcdMembers()).allSatisfy(m -> assertThat(m.healthy()).isTrue());
        assertThat(fleet.nodes()).extracting(SimulatedCluster.Node::name, SimulatedCluster.Node::kubeletVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", "v1.37.0"));
        // what HAProxy runs with: the file changed after the reload, HAProxy did not re-read it
        assertThat(fleet.host("n1").haproxyBackends()).containsOnlyKeys("kube-masters");
        assertThat(fleet.haproxyBackends().get("n1").get("kube-masters")).containsExactly(
                new SimulatedCluster.HaproxyServer("m-10.0.0.11", "10.0.0.11:6443"),
                new SimulatedCluster.HaproxyServer("m-10.0.0.12", "10.0.0.12:6443"));
        assertThat(fleet.haproxyBackends().get("m1").get("kube-masters")).extracting(SimulatedCluster.HaproxyServer::name)
                .containsExactly("m-10.0.0.11");
        fleet.host("n1").powerOff();
        assertThat(fleet.host("n1").haproxyBackends()).as("powered off").isEmpty();
    }

    @Test
    void injectsAFleetWhoseClusterPointsAtTheSimulatedHosts(@Fleet(masters = 3, nodes = 2) SimulatedFleet fleet)
            throws Exception {
        assertThat(fleet.cluster().masters()).extracting(Machine::hostname).containsExactly("m1", "m2", "m3");
        assertThat(fleet.cluster().nodes()).hasSize(2);
        Machine m2 = fleet.cluster().masters().get(1);
        assertThat(m2.ip()).isEqualTo("10.0.0.12");
        assertThat(m2.sshAddress()).contains("127.0.0.1");
        assertThat(m2.sshPort()).contains(fleet.host("m2").sshPort());
        assertThat(fleet.cluster().ssh().knownHosts()).isEqualTo(fleet.knownHosts());
        assertThat(Files.readString(fleet.knownHosts())).contains("[127.0.0.1]:" + fleet.host("m2").sshPort());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(fleet.privateKey()))).isEqualTo("rw-------");
        try (TestSsh ssh = new TestSsh(fleet)) {
            assertThat(ssh.run("n2", "kubeadm version -o short").out()).isEqualTo("v1.37.0\n");
        }
        lastFleetKey = fleet.privateKey();
    }

    @AfterAll
    static void fleetWasClosed() {
        assertThat(lastFleetKey).isNotNull();
        assertThat(Files.exists(lastFleetKey)).isFalse();
    }

    @Test
    void aFleetOfEvenMastersOtherNamesAndAnotherNetwork(@Fleet(masters = 2, nodes = 1, masterPrefix = "r",
            nodePrefix = "w", network = "10.20.1", kubeadmVersion = "v1.35.4") SimulatedFleet fleet) throws Exception {
        assertThat(fleet.cluster().masters()).extracting(Machine::hostname, Machine::ip).containsExactly(
                tuple("r1", "10.20.1.11"), tuple("r2", "10.20.1.12"));
        assertThat(fleet.cluster().nodes()).extracting(Machine::hostname, Machine::ip)
                .containsExactly(tuple("w1", "10.20.2.11"));
        assertEvenMastersAreLeftToTheDescription(fleet.cluster());
        try (TestSsh ssh = new TestSsh(fleet)) {
            assertThat(ssh.run("w1", "kubeadm version -o short").out()).isEqualTo("v1.35.4\n");
        }
    }

    @Test
    void anOddFleetKeepsTheSdksAdviceForLaterEvenDescriptions() {
        Cluster three = SimulatedFleetExtension.describe(Specs.spec("three"));
        assertThat(three.allowEvenMasters()).isFalse();
        assertThat(three.masters()).extracting(Machine::ip).containsExactly("10.0.0.11", "10.0.0.12", "10.0.0.13");
        assertThatThrownBy(() -> three.toBuilder().masters(three.masters().subList(0, 2)).build())
                .hasMessageContaining("an even number of masters");
    }

    @Test
    void theOptionsFollowTheAnnotation() {
        SimulatedFleet.Options o = SimulatedFleetExtension.options(Specs.spec("versions"));
        assertThat(o.kubeadmVersion()).isEqualTo("v1.35.4");
        assertThat(o.etcdVersion()).isEqualTo("3.4.30");
        assertThat(o.sshUser()).isEqualTo("deploy");
        assertThat(o.osId()).isEqualTo("rocky");
        SimulatedFleet.Options d = SimulatedFleetExtension.options(Specs.spec("three"));
        assertThat(d.kubeadmVersion()).isEqualTo(SimulatedFleet.Options.defaults().kubeadmVersion());
        assertThat(d.etcdVersion()).isEqualTo(SimulatedFleet.Options.defaults().etcdVersion());
    }

    @Test
    void aFleetThatCannotBeIsRefusedNamingTheAttribute() {
        assertThatThrownBy(() -> SimulatedFleetExtension.describe(Specs.spec("tooMany")))
                .isInstanceOf(ParameterResolutionException.class).hasMessageContaining("1-244 masters")
                .hasMessageContaining("masters=245");
        assertThatThrownBy(() -> SimulatedFleetExtension.describe(Specs.spec("lastNetwork")))
                .hasMessageContaining("@Fleet(network = \"10.0.255\")").hasMessageContaining("the next /24");
        assertThatThrownBy(() -> SimulatedFleetExtension.describe(Specs.spec("twoOctets")))
                .hasMessageContaining("@Fleet(network = \"10.20\")");
        assertThatThrownBy(() -> SimulatedFleetExtension.describe(Specs.spec("samePrefix")))
                .hasMessageContaining("@Fleet(masterPrefix = \"x\", nodePrefix = \"x\")");
        assertThatThrownBy(() -> SimulatedFleetExtension.options(Specs.spec("badKubeadm")))
                .hasMessageContaining("@Fleet(kubeadmVersion = \"1.35\")");
        assertThatThrownBy(() -> SimulatedFleetExtension.options(Specs.spec("badEtcd")))
                .hasMessageContaining("@Fleet: etcdVersion must be");
    }

    /** Annotations to read without starting a fleet. */
    @SuppressWarnings("unused")
    private static final class Specs {
        static Fleet spec(String method) {
            try {
                return Specs.class.getDeclaredMethod(method, SimulatedFleet.class).getParameters()[0]
                        .getAnnotation(Fleet.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }

        void three(@Fleet(masters = 3) SimulatedFleet f) { }

        void versions(@Fleet(kubeadmVersion = "v1.35.4", etcdVersion = "3.4.30", sshUser = "deploy", os = "rhel")
                SimulatedFleet f) { }

        void tooMany(@Fleet(masters = 245) SimulatedFleet f) { }

        void lastNetwork(@Fleet(network = "10.0.255") SimulatedFleet f) { }

        void twoOctets(@Fleet(network = "10.20") SimulatedFleet f) { }

        void samePrefix(@Fleet(nodes = 1, masterPrefix = "x", nodePrefix = "x") SimulatedFleet f) { }

        void badKubeadm(@Fleet(kubeadmVersion = "1.35") SimulatedFleet f) { }

        void badEtcd(@Fleet(etcdVersion = "3.7.0") SimulatedFleet f) { }
    }

    @Test
    void describesBareMachines(@Fleet(os = "ubuntu", osVersion = "24.04", bareHosts = true, cgroupV1 = true)
            SimulatedFleet fleet) throws Exception {
        HostSystem m1 = fleet.host("m1").system();
        assertThat(m1.osId()).isEqualTo("ubuntu");
        assertThat(m1.swap()).containsExactly("/swap.img");
        assertThat(m1.binaries()).doesNotContain("kubeadm", "kubelet", "kubectl", "crictl", "containerd")
                .contains("apt-get", "apt-mark", "swapoff", "modprobe");
        assertThat(m1.containerd().version()).isNull();
        try (TestSsh ssh = new TestSsh(fleet)) {
            assertThat(ssh.run("m1", "kubeadm version -o short").exit()).isEqualTo(127);
            assertThat(ssh.run("m1", "stat -fc %T /sys/fs/cgroup").out()).isEqualTo("tmpfs\n");
            assertThat(ssh.run("m1", "cat /etc/os-release").out()).contains("VERSION_CODENAME=noble");
        }
    }

    @Test
    void startsFromAListOfMachinesToo() {
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("a", "10.9.0.1")))) {
            assertThat(fleet.machines().get(0).sshPort()).contains(fleet.host("a").sshPort());
        }
    }
}
