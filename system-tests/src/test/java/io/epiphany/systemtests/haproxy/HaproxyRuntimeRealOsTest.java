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
class HaproxyRuntimeRealOsTest {
    private LbFleet lb;
    private RemoteAccess access;
    private RemoteHost node;
    private HaproxyService haproxy;
    private FleetHost m1;

    @BeforeAll
    void fleet() {
        SystemAssumptions.assumeRealOsFleet();
        lb = LbFleet.start(2, 1);
        m1 = lb.masters.get(0);
        SshSettings ssh = lb.fleet.sshSettings();
        List<Machine> masters = lb.masters.stream().map(h -> Machine.of(h.hostname(), h.ip())).toList();
        FleetHost n1 = lb.nodes.get(0);
        Cluster cluster = Cluster.builder().name("lb").allowEvenMasters(true).masters(masters).nodes(Machine.of(n1.hostname(), n1.ip()))
                .ssh(ssh).build();
        access = RemoteAccess.load();
        node = access.host(cluster.machine(n1.hostname()).orElseThrow(), ssh);
        haproxy = new HaproxyService(node);
        HaproxyVersion version = haproxy.version();
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
