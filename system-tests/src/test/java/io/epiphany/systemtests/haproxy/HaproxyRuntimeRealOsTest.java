package io.epiphany.systemtests.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.haproxy.HaproxyServerState;
import io.epiphany.haproxy.HaproxyService;
import io.epiphany.haproxy.HaproxyVersion;
import io.epiphany.systemtests.SystemAssumptions;
import io.epiphany.systemtests.fleet.FleetHost;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rendered defaults and the graceful drain on REAL HAProxy (the host's version, from {@code haproxy -v}) in a
 * real-OS fleet: two masters with TLS apiserver stand-ins and a node, HaproxyService over REAL OpenSSH as the non-root
 * sudo user, REAL socat on the root-only runtime socket. Requests every 100 ms through the node's localhost:3446.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class HaproxyRuntimeRealOsTest {
    private LbFleet lb;
    private RemoteAccess access;
    private RemoteHost node;
    private HaproxyService haproxy;
    private FleetHost m1;
    private Cluster cluster;
    private HaproxyVersion version;

    @BeforeAll
    void fleet() {
        SystemAssumptions.assumeRealOsFleet();
        lb = LbFleet.start(2, 1);
        m1 = lb.masters.get(0);
        SshSettings ssh = lb.fleet.sshSettings();
        List<Machine> masters = lb.masters.stream().map(h -> Machine.of(h.hostname(), h.ip())).toList();
        FleetHost n1 = lb.nodes.get(0);
        cluster = Cluster.builder().name("lb").allowEvenMasters(true).masters(masters).nodes(Machine.of(n1.hostname(), n1.ip()))
                .ssh(ssh).build();
        access = RemoteAccess.load();
        node = access.host(cluster.machine(n1.hostname()).orElseThrow(), ssh);
        haproxy = new HaproxyService(node);
        version = haproxy.version();
        // the SDK's own path: written beside, checked with the real haproxy -c, moved in place, started
        haproxy.configure(HaproxyConfig.render(cluster, cluster.masters(), version), false);
        awaitAllUp();
    }

    @AfterAll
    void stop() {
        if (access != null) {
            access.close();
        }
        if (lb != null) {
            lb.close();
        }
    }

    @Test
    void runtimeSocketIsRootOnlyAndShowsEveryMaster() {
        assertThat(lb.fleet.exec(lb.nodes.get(0).hostname(), "stat", "-c", "%A %U", HaproxyConfig.ADMIN_SOCKET)
                .orThrow().stdout().trim()).isEqualTo("srw------- root");
        // the login user without sudo cannot open it
        assertThat(node.run(Command.of("socat", "stdio", "UNIX-CONNECT:" + HaproxyConfig.ADMIN_SOCKET)
                .stdin("show stat\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).readOnly()).ok()).isFalse();
        assertThat(haproxy.servers()).extracting(HaproxyServerState::server).containsExactly("m1", "m2");
        // HAProxy starts servers UP and spreads the first checks over the 60 s interval
        assertThat(haproxy.servers()).allSatisfy(s -> assertThat(s.status()).isEqualTo("UP"));
    }

    /**
     * A master drained and brought back while the node sends a request every 100 ms: no request fails, none reaches
     * the master while it is drained, and it serves again right after ready.
     */
    @Test
    void drainAndReadyCostNoRequest() throws Exception {
        RequestStream stream = RequestStream.start(lb.fleet, lb.nodes.get(0).hostname(), 120);
        try {
            Thread.sleep(2000);
            long drainStart = System.currentTimeMillis();
            HaproxyService.Drained drained = haproxy.drain(m1.hostname(), Duration.ofSeconds(2));
            long drainedAt = System.currentTimeMillis();
            Thread.sleep(3000);
            long readyAt = System.currentTimeMillis();
            haproxy.ready(m1.hostname());
            long readyDone = System.currentTimeMillis();
            Thread.sleep(3000);
            stream.close();
            List<RequestStream.Result> results = stream.results();
            long servedWhileDrained = results.stream().filter(r -> r.ok() && r.master().equals(m1.hostname())
                    && r.startMillis() > drainedAt + 50 && r.endMillis() < readyAt).count();
            // the runtime API's ready takes effect before the config file is rewritten, so within the call
            long back = stream.firstServedBy(m1.hostname(), readyAt).map(r -> r.startMillis() - readyAt)
                    .orElse(-1L);
            long failed = results.stream().filter(r -> !r.ok()).count();
            LoadBalancerBenchmark.record(String.format(Locale.ROOT, "drain | %d requests, %d failed | drain took %d ms"
                            + " (%d connections open, %d closed) | requests to the drained master: %d | served again %d ms"
                            + " after ready began (ready took %d ms)", results.size(), failed,
                    drainedAt - drainStart, drained.connectionsAtStart(), drained.connectionsClosed(),
                    servedWhileDrained, back, readyDone - readyAt));
            assertThat(results.size()).isGreaterThan(50);
            assertThat(failed).isZero();
            assertThat(servedWhileDrained).isZero();
            assertThat(back).isBetween(0L, 2000L + (readyDone - readyAt));
        } finally {
            stream.close();
        }
    }

    /**
     * A master leaving and coming back (the LB change a membership change makes) through the REAL runtime API:
     * the same HAProxy master and worker processes before and after (no reload), the file as rendered, the returning
     * master checked and serving again, and a request through the node's load balancer after each step.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: the returning master ends the running list (m2, m1)
    void aMasterLeavesAndReturnsThroughTheRuntimeApiWithoutAReload() throws Exception {
        String both = HaproxyConfig.render(cluster, cluster.masters(), version);
        String m2Only = HaproxyConfig.render(cluster, cluster.masters().subList(1, 2), version);
        String node1 = lb.nodes.get(0).hostname();
        String processes = processes(node1);
        assertThat(haproxy.configure(m2Only, both)).isTrue();
        assertThat(processes(node1)).as("master and worker pids: no reload").isEqualTo(processes);
        assertThat(haproxy.servers()).extracting(HaproxyServerState::server).containsExactly("m2");
        assertThat(lb.fleet.exec(node1, "cat", HaproxyService.CONFIG_PATH).orThrow().stdout()).isEqualTo(m2Only);
        assertThat(request(node1)).as("served by the master left").isEqualTo("m2");

        assertThat(haproxy.configure(both, m2Only)).isTrue();
        assertThat(processes(node1)).as("master and worker pids: no reload").isEqualTo(processes);
        assertThat(lb.fleet.exec(node1, "cat", HaproxyService.CONFIG_PATH).orThrow().stdout()).isEqualTo(both);
        awaitAllUp(); // measured: "UP 1/3" right after 'enable server', as a reload's fresh servers are
        assertThat(haproxy.servers()).filteredOn(s -> s.server().equals("m1")).singleElement()
                .satisfies(s -> assertThat(s.lastCheck()).as("checked, as a loaded server").isNotBlank());
        // leastconn among idle servers takes turns: the returning master serves within a few requests
        boolean served = false;
        for (int i = 0; i < 20 && !served; i++) {
            served = request(node1).equals("m1");
        }
        assertThat(served).as("m1 serves again").isTrue();
    }

    /** The HAProxy master's pid and its children's (the workers), on one line. */
    private String processes(String host) {
        String master = lb.fleet.exec(host, "cat", "/run/haproxy.pid").orThrow().stdout().trim();
        return master + " " + lb.fleet.exec(host, "pgrep", "-P", master).orThrow().stdout().trim();
    }

    private String request(String host) {
        return lb.fleet.exec(host, "curl", "-sk", "--max-time", "5", "https://127.0.0.1:3446/epiphany-standin/name")
                .stdout().trim();
    }

    /** A long-lived connection (a watch) open to a master is closed by the drain, so its client reconnects. */
    @Test
    void drainClosesLongConnectionsLeftAfterTheWait() throws Exception {
        // bash waits for openssl only (not for the process substitution): it ends when the connection is closed
        Process watch = lb.fleet.spawn(lb.nodes.get(0).hostname(), "bash", "-c",
                "openssl s_client -quiet -connect 127.0.0.1:3446 < <(sleep 30) >/dev/null 2>&1");
        try {
            String server = awaitSessionOn();
            HaproxyService.Drained drained = haproxy.drain(server, Duration.ofSeconds(1));
            assertThat(drained.connectionsAtStart()).isEqualTo(1);
            assertThat(drained.connectionsClosed()).isEqualTo(1);
            assertThat(watch.waitFor(10, TimeUnit.SECONDS)).as("the watch's connection was closed").isTrue();
            haproxy.ready(server);
        } finally {
            watch.destroyForcibly();
        }
    }

    private String awaitSessionOn() throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (HaproxyServerState s : haproxy.servers()) {
                if (s.sessions() == 1) {
                    return s.server();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the long connection never showed in HAProxy's sessions: " + haproxy.servers());
    }

    private void awaitAllUp() {
        for (int i = 0; i < 100; i++) {
            List<HaproxyServerState> servers = haproxy.servers();
            if (servers.size() == 2 && servers.stream().allMatch(HaproxyServerState::takesTraffic)) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("HAProxy on the node never had both masters up: " + haproxy.servers());
    }
}
