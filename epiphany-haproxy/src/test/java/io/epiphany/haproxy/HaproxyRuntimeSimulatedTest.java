package io.epiphany.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.testkit.SimulatedFleet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drain, maintenance and ready through HAProxy's runtime API on the SIMULATED fleet (its socat speaks to its
 * HAProxy): the running state and the config file change together, and a reload keeps a drained master out.
 */
class HaproxyRuntimeSimulatedTest {
    private SimulatedFleet fleet;
    private RemoteAccess access;
    private RemoteHost node;
    private HaproxyService haproxy;
    private String rendered;

    @BeforeEach
    void haproxyOnANode() {
        fleet = SimulatedFleet.start(cluster());
        access = RemoteAccess.load();
        node = access.host(fleet.cluster().machine("n1").orElseThrow(), fleet.cluster().ssh());
        haproxy = new HaproxyService(node);
        haproxy.install("apt-get"); // Debian's package starts HAProxy with its own config
        assertThat(haproxy.version()).isEqualTo(HaproxyVersion.V2_6);
        rendered = HaproxyConfig.render(fleet.cluster(), fleet.cluster().masters(), haproxy.version());
        haproxy.configure(rendered, true);
    }

    private static Cluster cluster() {
        return Cluster.builder().name("k8s1")
                .masters(Machine.of("m1", "10.10.1.11"), Machine.of("m2", "10.10.1.12"), Machine.of("m3", "10.10.1.13"))
                .nodes(Machine.of("n1", "10.10.2.11")).build();
    }

    @AfterEach
    void stop() throws Exception {
        access.close();
        fleet.close();
    }

    private String liveConfig() {
        return new String(node.read(HaproxyService.CONFIG_PATH).orElseThrow(), StandardCharsets.UTF_8);
    }

    private HaproxyServerState server(String name) {
        return FirstChecks.awaited(haproxy).stream().filter(s -> s.server().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void readsEveryServerOfTheRunningHaproxy() {
        assertThat(haproxy.servers()).extracting(HaproxyServerState::server).containsExactly("m1", "m2", "m3");
        // no apiserver runs on the simulated masters: checks are refused
        assertThat(server("m1").status()).isEqualTo("DOWN");
        assertThat(server("m1").lastCheck()).isEqualTo("L4CON");
        assertThat(server("m1").address()).isEqualTo("10.10.1.11:6443");
        assertThat(server("m1").weight()).isEqualTo(1);
    }

    @Test
    void drainTakesAMasterOutOfTheRunningHaproxyAndItsConfigUntilReady() {
        HaproxyService.Drained drained = haproxy.drain("m2", Duration.ofSeconds(5));
        assertThat(drained.connectionsAtStart()).isZero();
        assertThat(drained.connectionsClosed()).isZero();
        assertThat(server("m2").weight()).isZero();
        assertThat(server("m1").weight()).isEqualTo(1);
        assertThat(liveConfig()).contains("    server m2 10.10.1.12:6443 weight 0\n")
                .contains("    server m1 10.10.1.11:6443\n");

        // a reload (a package upgrade's systemctl reload, another apply's SIGUSR2) keeps it out: the config says so too
        node.run(Command.of("systemctl", "reload", "haproxy").asRoot()).orThrow();
        assertThat(server("m2").weight()).isZero();
        assertThat(server("m1").weight()).isEqualTo(1);
        node.run(Command.of(ConfigSwap.Then.RELOAD.command).asRoot()).orThrow();
        assertThat(server("m2").weight()).isZero();

        haproxy.ready("m2");
        assertThat(server("m2").weight()).isEqualTo(1);
        assertThat(liveConfig()).isEqualTo(rendered);
    }

    @Test
    void maintenanceDisablesAndReadyRestores() {
        haproxy.maint("m3");
        assertThat(server("m3").status()).isEqualTo("MAINT");
        assertThat(liveConfig()).contains("    server m3 10.10.1.13:6443 disabled\n");
        haproxy.ready("m3");
        assertThat(server("m3").status()).isEqualTo("DOWN");
        assertThat(liveConfig()).isEqualTo(rendered);
    }

    @Test
    void unknownServerIsNamedWithTheHost() {
        assertThatThrownBy(() -> haproxy.drain("m9", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n1").hasMessageContaining("'m9'")
                .hasMessageContaining("kube-apiserver");
        assertThat(liveConfig()).isEqualTo(rendered);
    }

    @Test
    void stoppedHaproxyIsReportedNotGuessed() {
        node.run(Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
        assertThatThrownBy(haproxy::servers).isInstanceOf(IllegalStateException.class).hasMessageContaining("n1")
                .hasMessageContaining(HaproxyConfig.ADMIN_SOCKET).hasMessageContaining("Connection refused");
    }

    @Test
    void theSocketIsRootOnly() {
        // a non-root login: the SDK goes through sudo; without it the socket's mode 600 refuses
        try (SimulatedFleet other = SimulatedFleet.start(cluster(),
                SimulatedFleet.Options.defaults().withSshUser("epiphany"));
                RemoteAccess otherAccess = RemoteAccess.load()) {
            RemoteHost n1 = otherAccess.host(other.cluster().machine("n1").orElseThrow(), other.cluster().ssh());
            HaproxyService service = new HaproxyService(n1);
            service.install("apt-get");
            service.configure(rendered, true);
            var refused = n1.run(Command.of("socat", "stdio", "UNIX-CONNECT:" + HaproxyConfig.ADMIN_SOCKET)
                    .stdin("show stat\n".getBytes(StandardCharsets.UTF_8)).readOnly());
            assertThat(refused.ok()).isFalse();
            assertThat(refused.stderr()).contains("Permission denied");
            assertThat(service.servers()).hasSize(3); // through sudo
        }
    }

    @Test
    void markKeepsEveryOtherLineAndReplacesAnEarlierMark() {
        String once = HaproxyRuntime.mark(rendered, "m1", HaproxyRuntime.DRAIN_MARK);
        String twice = HaproxyRuntime.mark(once, "m1", HaproxyRuntime.MAINT_MARK);
        assertThat(twice).contains("    server m1 10.10.1.11:6443 disabled\n").doesNotContain("weight 0");
        assertThat(HaproxyRuntime.mark(twice, "m1", "")).isEqualTo(rendered);
        assertThatThrownBy(() -> HaproxyRuntime.mark(rendered, "m", "")).hasMessageContaining("server m");
    }
}
