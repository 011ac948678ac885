package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Machine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Each fault of a SIMULATED host, and the counters, seen from an SSH client. */
@Execution(ExecutionMode.CONCURRENT)
class FaultInjectionTest {
    private SimulatedFleet fleet;
    private TestSsh ssh;

    @BeforeEach
    void start() {
        fleet = SimulatedFleet.start(List.of(Machine.of("h1", "10.0.0.1"), Machine.of("h2", "10.0.0.2")));
        ssh = new TestSsh(fleet);
    }

    @AfterEach
    void stop() {
        ssh.close();
        fleet.close();
    }

    @Test
    void unreachableRefusesConnectionsUntilCleared() throws Exception {
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
        fleet.host("h1").faults().unreachable(true);
        try (TestSsh fresh = new TestSsh(fleet)) {
            assertThatThrownBy(() -> fresh.run("h1", "date +%s")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Connection refused");
        }
        assertThat(ssh.run("h2", "date +%s").exit()).isZero();
        fleet.host("h1").faults().unreachable(false);
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
    }

    @Test
    void connectionDropsAfterNCommandsOnce() throws Exception {
        fleet.host("h1").faults().dropConnectionAfter(2);
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
        assertThatThrownBy(() -> ssh.run("h1", "date +%s")).isInstanceOf(IOException.class);
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
    }

    @Test
    void aCommandFailsWithTheGivenExitCodeAndStderrAlsoBehindSudo() throws Exception {
        fleet.host("h1").faults().failCommand("kubeadm join", 1, "error execution phase preflight: injected");
        TestSsh.Result r = ssh.run("h1", "sudo -n sh -c 'kubeadm join --config /x.yaml'");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error execution phase preflight: injected\n");
        assertThat(ssh.run("h1", "kubeadm version -o short").exit()).isZero();
    }

    @Test
    void slowResponsesDelayEachCommand() throws Exception {
        fleet.host("h1").faults().delay(Duration.ofMillis(300));
        long start = System.nanoTime();
        assertThat(ssh.run("h1", "date +%s").exit()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void diskFullFailsSftpWritesAndMv() throws Exception {
        ssh.run("h1", "mkdir -p /etc/haproxy");
        ssh.put("h1", "/etc/haproxy/new.cfg", "global\n");
        fleet.host("h1").faults().diskFull(true);
        assertThatThrownBy(() -> ssh.put("h1", "/etc/haproxy/other.cfg", "global\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("No space left on device");
        TestSsh.Result mv = ssh.run("h1", "mv -f /etc/haproxy/new.cfg /etc/haproxy/haproxy.cfg");
        assertThat(mv.exit()).isEqualTo(1);
        assertThat(mv.err()).contains("mv: cannot move '/etc/haproxy/new.cfg' to '/etc/haproxy/haproxy.cfg': "
                + "No space left on device");
        fleet.host("h1").faults().clear();
        assertThat(ssh.run("h1", "mv -f /etc/haproxy/new.cfg /etc/haproxy/haproxy.cfg").exit()).isZero();
    }

    @Test
    void countersSeparateCommandsStateChangesAndWrites() throws Exception {
        SimulatedHost h = fleet.host("h1");
        ssh.run("h1", "command -v haproxy");
        ssh.run("h1", "systemctl is-active haproxy");
        ssh.run("h1", "sha256sum /etc/hostname");
        assertThat(h.commandCount()).isEqualTo(3);
        assertThat(h.stateChangingCommandCount()).isZero();
        assertThat(h.writeCount()).isZero();
        ssh.run("h1", "mkdir -p /etc/haproxy");
        ssh.put("h1", "/etc/haproxy/haproxy.cfg.tmp", "global\n");
        ssh.run("h1", "sudo -n sh -c 'mv -f /etc/haproxy/haproxy.cfg.tmp /etc/haproxy/haproxy.cfg'");
        assertThat(h.commandCount()).isEqualTo(5);
        assertThat(h.stateChangingCommandCount()).isEqualTo(2);
        assertThat(h.writeCount()).isEqualTo(3); // mkdir, the SFTP write, the rename
        ssh.run("h1", "mkdir -p /etc/haproxy"); // already there: no write
        assertThat(h.writeCount()).isEqualTo(3);
        h.resetCounters();
        assertThat(h.commandCount()).isZero();
    }

    @Test
    void sftpShowsFilesOwnedByRoot() throws Exception {
        ssh.run("h1", "mkdir -p /etc/kubernetes");
        ssh.put("h1", "/etc/kubernetes/x", "y");
        try (var sftp = org.apache.sshd.sftp.client.SftpClientFactory.instance().createSftpClient(ssh.session("h1"))) {
            var attrs = sftp.stat("/etc/kubernetes/x");
            assertThat(attrs.getUserId()).isZero();
            assertThat(attrs.getGroupId()).isZero();
        }
    }

    @Test
    void poweredOffHostRefusesAndBootsWithItsEnabledServices() throws Exception {
        ssh.run("h1", "mkdir -p /etc/haproxy");
        ssh.put("h1", "/etc/haproxy/haproxy.cfg", ClusterScript.haproxyConfig(List.of("10.0.0.2")));
        assertThat(ssh.run("h1", "apt-get install -y haproxy").exit()).isZero();
        fleet.host("h1").powerOff();
        try (TestSsh fresh = new TestSsh(fleet)) {
            assertThatThrownBy(() -> fresh.run("h1", "date +%s")).isInstanceOf(IOException.class);
        }
        fleet.host("h1").powerOn();
        assertThat(ssh.run("h1", "systemctl is-active haproxy").out()).isEqualTo("active\n");
    }
}
