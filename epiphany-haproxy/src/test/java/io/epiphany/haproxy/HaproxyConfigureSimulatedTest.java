package io.epiphany.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.testkit.SimulatedCluster;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HaproxyService#configure} on the SIMULATED fleet, as root and through sudo: one exec per call, the check
 * before the swap, no-op on the same content, the old file back after a failed reload, no candidate left behind.
 */
class HaproxyConfigureSimulatedTest {
    private SimulatedFleet fleet;
    private RemoteAccess access;

    private static Cluster cluster() {
        return Cluster.builder().name("k8s1").masters(Machine.of("m1", "10.10.1.11"), Machine.of("m2", "10.10.1.12"),
                        Machine.of("m3", "10.10.1.13"))
                .nodes(Machine.of("n1", "10.10.2.11")).build();
    }

    private RemoteHost start(String user) {
        SimulatedFleet.Options o = SimulatedFleet.Options.defaults();
        fleet = SimulatedFleet.start(cluster(), user == null ? o : o.withSshUser(user));
        access = RemoteAccess.load();
        RemoteHost n1 = access.host(fleet.cluster().machine("n1").orElseThrow(), fleet.cluster().ssh());
        new HaproxyService(n1).install("apt-get"); // Debian's package starts HAProxy with its own config
        return n1;
    }

    @AfterEach
    void stop() throws Exception {
        if (access != null) {
            access.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private SimulatedHost n1() {
        return fleet.host("n1");
    }

    private String live() throws IOException {
        return Files.readString(n1().root().resolve("etc/haproxy/haproxy.cfg"));
    }

    private List<String> haproxyDir() throws IOException {
        try (Stream<Path> files = Files.list(n1().root().resolve("etc/haproxy"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private String render(List<Machine> masters) {
        return HaproxyConfig.render(fleet.cluster(), masters, HaproxyVersion.V2_6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "epiphany"})
    void aChangeIsOneExecAndTheSameContentAgainChangesNothing(String user) throws IOException {
        RemoteHost host = start(user.equals("root") ? null : user);
        HaproxyService haproxy = new HaproxyService(host);
        String both = render(fleet.cluster().masters());
        n1().resetCounters();
        assertThat(haproxy.configure(both, true)).isTrue();
        assertThat(n1().commandCount()).isEqualTo(1);
        assertThat(live()).isEqualTo(both);
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND)).as("the running HAProxy reloaded it")
                .extracting(SimulatedCluster.HaproxyServer::name).containsExactly("m1", "m2", "m3");
        assertThat(Files.getPosixFilePermissions(n1().root().resolve("etc/haproxy/haproxy.cfg")))
                .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "GROUP_READ",
                        "OTHERS_READ");
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");

        Path cfg = n1().root().resolve("etc/haproxy/haproxy.cfg");
        var modified = Files.getLastModifiedTime(cfg);
        Files.setLastModifiedTime(cfg, java.nio.file.attribute.FileTime.fromMillis(modified.toMillis() - 60_000));
        modified = Files.getLastModifiedTime(cfg);
        n1().resetCounters();
        assertThat(haproxy.configure(both, true)).isFalse();
        assertThat(n1().commandCount()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(cfg)).as("the live file is not rewritten").isEqualTo(modified);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");

        String one = render(fleet.cluster().masters().subList(0, 1));
        assertThat(haproxy.configure(one, true)).isTrue();
        assertThat(live()).isEqualTo(one);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
    }

    private List<String> programsRun() {
        return n1().processes().commandLines();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "epiphany"})
    void aJoinedOrLeavingMasterReachesTheRunningHaproxyThroughItsRuntimeApiWithoutAReload(String user)
            throws IOException {
        RemoteHost host = start(user.equals("root") ? null : user);
        HaproxyService haproxy = new HaproxyService(host);
        List<Machine> masters = fleet.cluster().masters();
        String two = render(masters.subList(0, 2));
        haproxy.configure(two, true);
        String three = render(masters);
        n1().resetCounters();
        n1().processes().clear();
        var outcome = ConfigSwap.outcome(host.run(HaproxyService.configureCommand(three, two)),
                HaproxyService.CONFIG_PATH, ConfigSwap.Then.RELOAD);
        assertThat(outcome).isEqualTo(ConfigSwap.Outcome.CHANGED_RUNTIME);
        assertThat(n1().commandCount()).isEqualTo(1);
        assertThat(programsRun()).as("no reload").noneMatch(l -> l.startsWith("systemctl"));
        assertThat(live()).isEqualTo(three);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND)).as("the running HAProxy has the new master")
                .extracting(SimulatedCluster.HaproxyServer::name).containsExactly("m1", "m2", "m3");
        // as on 2.6.12: the added master is "UP 1/3", not checked, until downinter has passed since 'enable health'
        assertThat(haproxy.servers()).filteredOn(s -> s.server().equals("m3"))
                .extracting(HaproxyServerState::status, HaproxyServerState::checked)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("UP 1/3", false));
        // then checked and in service like the masters loaded from the file (no API server runs here: DOWN)
        assertThat(FirstChecks.awaited(haproxy)).extracting(HaproxyServerState::server, HaproxyServerState::status)
                .contains(org.assertj.core.groups.Tuple.tuple("m1", "DOWN"),
                        org.assertj.core.groups.Tuple.tuple("m3", "DOWN"));

        String leaving = render(masters.subList(1, 3));
        assertThat(haproxy.configure(leaving, three)).isTrue();
        assertThat(programsRun()).noneMatch(l -> l.startsWith("systemctl"));
        assertThat(live()).isEqualTo(leaving);
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND))
                .extracting(SimulatedCluster.HaproxyServer::name).containsExactly("m2", "m3");
        assertThat(haproxy.configure(leaving, leaving)).as("the same content again").isFalse();
    }

    @Test
    void aLiveFileChangedSinceItWasReadGetsTheReloadNotTheRuntimeApi() throws IOException {
        RemoteHost host = start(null);
        HaproxyService haproxy = new HaproxyService(host);
        List<Machine> masters = fleet.cluster().masters();
        String one = render(masters.subList(0, 1));
        haproxy.configure(render(masters.subList(0, 2)), true); // what the caller believes: m1
        n1().processes().clear();
        var outcome = ConfigSwap.outcome(host.run(HaproxyService.configureCommand(render(masters), one)),
                HaproxyService.CONFIG_PATH, ConfigSwap.Then.RELOAD);
        assertThat(outcome).isEqualTo(ConfigSwap.Outcome.CHANGED);
        assertThat(programsRun()).anyMatch(l -> l.startsWith("systemctl kill"));
        assertThat(programsRun()).noneMatch(l -> l.startsWith("socat"));
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND)).hasSize(3);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
    }

    @Test
    void aRuntimeCommandHaproxyRefusesEndsInTheReloadOfTheCheckedFile() throws IOException {
        RemoteHost host = start(null);
        HaproxyService haproxy = new HaproxyService(host);
        List<Machine> masters = fleet.cluster().masters();
        String three = render(masters);
        haproxy.configure(three, true);
        // the running process lost m3 behind the file's back: its 'del server' answers "No such server."
        HaproxyRuntime runtime = new HaproxyRuntime(host);
        runtime.change("set server kube-apiserver/m3 state maint");
        assertThat(runtime.call("del server kube-apiserver/m3", true)).isEqualTo("Server deleted.\n");
        String two = render(masters.subList(0, 2));
        n1().processes().clear();
        var outcome = ConfigSwap.outcome(host.run(HaproxyService.configureCommand(two, three)),
                HaproxyService.CONFIG_PATH, ConfigSwap.Then.RELOAD);
        assertThat(outcome).isEqualTo(ConfigSwap.Outcome.CHANGED);
        assertThat(programsRun()).anyMatch(l -> l.startsWith("socat")).anyMatch(l -> l.startsWith("systemctl kill"));
        assertThat(live()).isEqualTo(two);
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND))
                .extracting(SimulatedCluster.HaproxyServer::name).containsExactly("m1", "m2");
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
    }

    @Test
    void aConfigFailingTheCheckNeverReplacesTheLiveOne() throws IOException {
        HaproxyService haproxy = new HaproxyService(start(null));
        String good = render(fleet.cluster().masters());
        haproxy.configure(good, true);
        String broken = good.replace("timeout connect", "timeout connnect");
        assertThatThrownBy(() -> haproxy.configure(broken, true)).isInstanceOf(RemoteException.class)
                .hasMessageContaining("n1").hasMessageContaining("haproxy -c -f").hasMessageContaining("exited 1")
                .hasMessageContaining("unchanged").hasMessageContaining("stderr:");
        assertThat(live()).isEqualTo(good);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
    }

    @Test
    void rhelsConfDirectoryIsCheckedWithTheCandidate() throws IOException {
        HaproxyService haproxy = new HaproxyService(start(null));
        String both = render(fleet.cluster().masters());
        haproxy.configure(both, true);
        Path confDir = n1().root().resolve("etc/haproxy/conf.d");
        Files.createDirectories(confDir);
        Files.writeString(confDir.resolve("extra.cfg"), "frontend extra\n    bind 127.0.0.1:9000\n"
                + "    default_backend " + HaproxyConfig.BACKEND + "\n");
        String one = render(fleet.cluster().masters().subList(0, 1));
        assertThat(haproxy.configure(one, true)).as("a valid directory passes with the candidate").isTrue();
        Files.writeString(confDir.resolve("extra.cfg"), "frontend extra\n    bind 127.0.0.1:9000\n"
                + "    default_backend nosuch\n");
        assertThatThrownBy(() -> haproxy.configure(both, true)).isInstanceOf(RemoteException.class)
                .hasMessageContaining("haproxy -c -f").hasMessageContaining("unchanged")
                .hasMessageContaining("nosuch");
        assertThat(live()).isEqualTo(one);
    }

    @Test
    void aFailedReloadPutsThePreviousFileBack() throws IOException {
        HaproxyService haproxy = new HaproxyService(start("epiphany"));
        String both = render(fleet.cluster().masters());
        haproxy.configure(both, true);
        n1().faults().failCommand("systemctl kill", 1, "Failed to kill unit haproxy.service: Connection timed out "
                + "(SIMULATED)");
        String one = render(fleet.cluster().masters().subList(0, 1));
        assertThatThrownBy(() -> haproxy.configure(one, true)).isInstanceOf(RemoteException.class)
                .hasMessageContaining("`systemctl kill --kill-who=main --signal=SIGUSR2 haproxy` exited 1")
                .hasMessageContaining("was put back").hasMessageContaining("Connection timed out");
        assertThat(live()).isEqualTo(both);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND)).hasSize(3);

        n1().faults().clear();
        assertThat(haproxy.configure(one, true)).isTrue();
        assertThat(live()).isEqualTo(one);
        assertThat(n1().haproxyBackends().get(HaproxyConfig.BACKEND)).as("the master re-executed with the new file")
                .hasSize(1);
    }

    @Test
    void aReloadOfAStoppedHaproxyFindsNoMasterToSignalAndPutsTheFileBack() throws IOException {
        RemoteHost host = start(null);
        HaproxyService haproxy = new HaproxyService(host);
        String both = render(fleet.cluster().masters());
        haproxy.configure(both, true);
        // stopped after the facts said it ran: systemctl kill has no main process to signal
        host.run(io.epiphany.api.remote.Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
        String one = render(fleet.cluster().masters().subList(0, 1));
        assertThatThrownBy(() -> haproxy.configure(one, true)).isInstanceOf(RemoteException.class)
                .hasMessageContaining("n1").hasMessageContaining("--signal=SIGUSR2 haproxy` exited 1")
                .hasMessageContaining("was put back")
                .hasMessageContaining("Failed to kill unit haproxy.service: No main process to kill");
        assertThat(live()).isEqualTo(both);
        assertThat(haproxyDir()).containsExactly("haproxy.cfg");
        assertThat(haproxy.isActive()).isFalse();
    }

    @Test
    void startingWithTheSameContentStillStartsHaproxy() throws IOException {
        RemoteHost host = start(null);
        HaproxyService haproxy = new HaproxyService(host);
        String both = render(fleet.cluster().masters());
        haproxy.configure(both, true);
        host.run(io.epiphany.api.remote.Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
        assertThat(haproxy.isActive()).isFalse();
        assertThat(haproxy.configure(both, false)).isFalse();
        assertThat(haproxy.isActive()).isTrue();
        assertThat(live()).isEqualTo(both);
    }

    @Test
    void theConfigTravelsOnStdinNotInTheExecRequest() {
        String config = "global\n    maxconn 10\n";
        var c = ConfigSwap.command(HaproxyService.CONFIG_PATH, config, ConfigSwap.Then.RELOAD);
        assertThat(c.sendsLineOnStdin()).isTrue();
        assertThat(c.line()).doesNotContain("maxconn").contains("head -c " + config.getBytes(StandardCharsets.UTF_8)
                .length + " > /etc/haproxy/.haproxy.cfg.epiphany-");
        assertThat(c.line()).as("the candidate checked once: the master is signalled, no second check by the unit")
                .contains("; systemctl kill --kill-who=main --signal=SIGUSR2 haproxy || {")
                .doesNotContain("systemctl reload")
                .contains("test -d /etc/haproxy/conf.d && { haproxy -c -f /etc/haproxy/.haproxy.cfg.epiphany-")
                .contains(" -f /etc/haproxy/conf.d || {")
                .contains("test -d /etc/haproxy/conf.d || { haproxy -c -f /etc/haproxy/.haproxy.cfg.epiphany-");
        assertThat(c.logText()).startsWith("haproxy config swap of /etc/haproxy/haproxy.cfg (" + config.length()
                + " bytes; then systemctl kill").doesNotContain("head -c");
        var other = ConfigSwap.command(HaproxyService.CONFIG_PATH, config, ConfigSwap.Then.RELOAD);
        assertThat(other.line()).as("a candidate name of its own per run").isNotEqualTo(c.line());
    }
}
