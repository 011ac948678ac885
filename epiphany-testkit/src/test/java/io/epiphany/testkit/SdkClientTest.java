package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import io.epiphany.ssh.SshRemoteAccess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK's own SSH client (epiphany-ssh) against the fleet: strict host keys, commands, uploads, counters. */
class SdkClientTest {
    @Test
    void theSdkClientRunsCommandsAndUploadsWithStrictHostKeys() {
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"),
                        Machine.of("n1", "10.0.1.11")));
                SshRemoteAccess access = SshRemoteAccess.create()) {
            Machine m1 = fleet.machines().get(0);
            RemoteHost host = access.host(m1, fleet.sshSettings());
            assertThat(host.run(Command.of("kubeadm", "version", "-o", "short").readOnly()).stdout())
                    .isEqualTo("v1.37.0\n");
            RemoteFile file = RemoteFile.of("/etc/haproxy/haproxy.cfg",
                    ClusterScript.haproxyConfig(List.of("10.0.0.11")), 0644);
            assertThat(host.upload(file)).isEqualTo(UploadResult.WRITTEN);
            assertThat(new String(host.read("/etc/haproxy/haproxy.cfg").orElseThrow(), StandardCharsets.UTF_8))
                    .contains("bind 127.0.0.1:3446");
            SimulatedHost sim = fleet.host("m1");
            sim.resetCounters();
            assertThat(host.upload(file)).isEqualTo(UploadResult.UNCHANGED);
            assertThat(sim.writeCount()).isZero();
            assertThat(sim.stateChangingCommandCount()).isZero();
            assertThat(host.run(Command.of("cat", "/etc/kubernetes/nope").asRoot()).exitCode()).isEqualTo(1);

            // a machine the fleet does not model is refused before a socket opens, naming the address
            assertThatThrownBy(() -> access.host(Machine.of("x1", "192.0.2.21"), fleet.sshSettings())
                    .run(Command.of("true"))).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("x1: cannot connect to 192.0.2.21:22: 192.0.2.21:22 is not part of the "
                            + "simulated fleet's closed network");
            // the modelled address, without the fleet's connect address, reaches the machine through the book
            long before = sim.commandCount();
            assertThat(access.host(Machine.of("m1", "10.0.0.11"), fleet.sshSettings())
                    .run(Command.of("kubeadm", "version", "-o", "short").readOnly()).stdout()).isEqualTo("v1.37.0\n");
            assertThat(sim.commandCount()).isEqualTo(before + 1);

            fleet.host("n1").faults().unreachable(true);
            assertThatThrownBy(() -> access.host(fleet.machines().get(1), fleet.sshSettings())
                    .run(Command.of("date", "+%s"))).isInstanceOf(RemoteException.class).hasMessageContaining("n1");
        }
    }
}
