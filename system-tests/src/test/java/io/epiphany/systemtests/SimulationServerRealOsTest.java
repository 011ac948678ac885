package io.epiphany.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real-OS fleet's resident SIMULATED program server (SimulationServer and fleet/sim-client.pl): a root call is
 * served by the host's server ({@code EPIPHANY_SIM_SERVER_ONLY=1} makes a call that is not served fail with 75
 * instead of falling back to a JVM of its own), with the program's stdout, stderr, exit code and stdin, and stdin
 * read only when the program reads; a user's call is never served by the root server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulationServerRealOsTest {
    private static final String SERVED = "EPIPHANY_SIM_SERVER_ONLY=1 ";
    private RealOsFleet fleet;
    private String host;

    @BeforeAll
    void startFleet() {
        SystemAssumptions.assumeRealOsFleet();
        fleet = RealOsFleet.startWithSimulatedKubernetes(List.of("sim-1"),
                Map.of("epiphany.sim.server-args-seconds", "1"));
        host = fleet.hosts().get(0).hostname();
    }

    @AfterAll
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
            FleetTeardownTest.assertNothingLeft(fleet.slot());
        }
    }

    private ProcessRun.Result sh(String line) {
        return fleet.exec(host, "sh", "-c", line);
    }

    @Test
    void aServedCallPrintsWhatItsOwnJvmPrintsAndKeepsStdoutStderrAndTheExitCodeApart() {
        String own = sh("EPIPHANY_SIM_NO_SERVER=1 kubeadm version -o short").orThrow().stdout();
        assertThat(own).isNotBlank();
        assertThat(sh(SERVED + "kubeadm version -o short").orThrow().stdout()).isEqualTo(own);

        ProcessRun.Result unknown = sh(SERVED + "kubeadm no-such-command");
        ProcessRun.Result unknownOwn = sh("EPIPHANY_SIM_NO_SERVER=1 kubeadm no-such-command");
        assertThat(unknown.exitCode()).isNotZero().isNotEqualTo(75).isEqualTo(unknownOwn.exitCode());
        assertThat(unknown.stdout()).isEmpty();
        assertThat(unknown.stderr()).contains("no-such-command").isEqualTo(unknownOwn.stderr());

        ProcessRun.Result missing = sh(SERVED + "/usr/local/sbin/epiphany-sim no-such-program");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr()).contains("not found");
    }

    @Test
    void stdinReachesAProgramThatReadsIt() {
        ProcessRun.Result cat = sh("printf 'first\\nsecond\\n' | " + SERVED + "/usr/local/sbin/epiphany-sim cat");
        assertThat(cat.orThrow().stdout()).isEqualTo("first\nsecond\n");
        // more than one chunk (the client sends at most 64 KiB per ask)
        ProcessRun.Result big = sh("head -c 200000 /dev/zero | " + SERVED + "/usr/local/sbin/epiphany-sim cat | wc -c");
        assertThat(big.orThrow().stdout().strip()).isEqualTo("200000");
    }

    @Test
    void aProgramThatDoesNotReadLeavesStdinToTheShell() {
        // bash -s reads its script from the pipe a line at a time: whatever kubeadm consumed, bash would not run
        ProcessRun.Result script = sh("printf '" + SERVED + "kubeadm version -o short\\necho after\\n' | bash -s");
        assertThat(script.orThrow().stdout()).endsWith("\nafter\n");
        ProcessRun.Result heredoc = sh("{ " + SERVED + "kubeadm version -o short >/dev/null; cat; } <<'EOF'\nrest\nEOF");
        assertThat(heredoc.orThrow().stdout()).isEqualTo("rest\n");
        ProcessRun.Result rest = sh("printf 'rest\\n' | { " + SERVED + "kubeadm version -o short >/dev/null; cat; }");
        assertThat(rest.orThrow().stdout()).isEqualTo("rest\n");
    }

    @Test
    void theSdksOneExecScriptOverRealSshRunsOnAfterAServedProgram() {
        FleetHost h = fleet.host(host);
        try (RemoteAccess access = RemoteAccess.load()) {
            var result = access.host(Machine.of(h.hostname(), h.ip()), fleet.sshSettings()).run(Command.of("sh", "-s")
                    .asRoot().stdin((SERVED + "kubeadm version -o short\necho after\n")
                            .getBytes(StandardCharsets.UTF_8))).orThrow();
            assertThat(result.stdout()).startsWith(sh("kubeadm version -o short").orThrow().stdout())
                    .endsWith("after\n");
        }
    }

    @Test
    void aUsersCallIsNeverServedByTheRootServerButRunsInItsOwnJvm() {
        ProcessRun.Result client = sh("su epiphany -c '" + SERVED + "/usr/local/sbin/epiphany-sim-client kubeadm version'");
        assertThat(client.exitCode()).isEqualTo(75);
        assertThat(client.stderr()).contains("the caller is not root");
        assertThat(sh("su epiphany -c 'test -e /run/epiphany-sim/simulation.sock'").exitCode())
                .as("the socket's directory is root's only").isEqualTo(1);
        assertThat(sh("su epiphany -c 'kubeadm version -o short'").orThrow().stdout())
                .isEqualTo(sh("kubeadm version -o short").orThrow().stdout());
    }

    @Test
    void aClientThatSendsNoArgumentsIsDroppedAndTheServerServesOn() {
        // connects, sends nothing and waits for the server to close (bounded by timeout: 124 if it never does)
        ProcessRun.Result silent = sh("timeout 20 perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer =>"
                + " \"/run/epiphany-sim/simulation.sock\") or die \"$!\"; print sysread($s, $b, 1) == 0 ? \"closed\" : \"data\"'");
        assertThat(silent.orThrow().stdout()).isEqualTo("closed");
        assertThat(sh(SERVED + "kubeadm version -o short").orThrow().stdout()).isNotBlank();
    }

    @Test
    void concurrentCallsAreServedEachWithItsOwnStreams() {
        int calls = 8;
        StringBuilder line = new StringBuilder("d=$(mktemp -d); ");
        for (int i = 0; i < calls; i++) {
            line.append("(printf 'call-").append(i).append("\\n' | ").append(SERVED)
                    .append("/usr/local/sbin/epiphany-sim cat > $d/").append(i).append("; echo $? >> $d/")
                    .append(i).append(") & ");
        }
        line.append("wait; cat $d/*; rm -rf $d");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < calls; i++) {
            expected.append("call-").append(i).append("\n0\n");
        }
        assertThat(sh(line.toString()).orThrow().stdout()).isEqualTo(expected.toString());
    }
}
