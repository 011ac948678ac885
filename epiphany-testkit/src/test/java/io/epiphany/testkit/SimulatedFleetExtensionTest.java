package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A user's test gets a fleet by annotation; its cluster points at the simulated hosts; it is closed afterwards. */
@SimulatedFleetTest
class SimulatedFleetExtensionTest {
    private static Path lastFleetKey;

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
