package io.epiphany.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5 on the real-OS fleet: the seed topology (3 masters, 2 nodes) created by {@code Cluster.apply()} over REAL
 * OpenSSH (strict host keys, a non-root sudo user), with REAL HAProxy on every host (installed config, {@code haproxy
 * -c}, seamless reload through the fleet's SIMULATED systemctl shim) and the REAL curl checking {@code localhost:3446}.
 * etcd and etcdctl are REAL (Debian etcd-server, driven by the simulated kubeadm as kubeadm drives it). SIMULATED:
 * kubeadm, kubelet, kubectl (the testkit's simulation in real-OS mode) and the API servers (the fleet's TLS
 * stand-ins, started by the simulated kubelet when it starts a control plane).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class SeedTopologyRealOsTest {
    private static final List<String> MASTERS = List.of("master1", "master2", "master3");
    private static final List<String> NODES = List.of("node1", "node2");

    private RealOsFleet fleet;
    private Cluster cluster;
    private final AtomicInteger events = new AtomicInteger();

    @BeforeAll
    void startFleet() {
        fleet = FleetClusters.start(MASTERS, NODES, java.util.Map.of());
        cluster = FleetClusters.cluster(fleet, "seed", MASTERS, NODES);
    }

    @AfterAll
    void stopFleet() {
        FleetClusters.stop(fleet);
    }

    private ApplyOptions options() {
        return ApplyOptions.builder().listener(ProgressListener.of(e -> events.incrementAndGet())).healthTimeout(Duration.ofMinutes(1))
                .build();
    }

    @Test
    @Order(1)
    void applyCreatesTheClusterAndASecondPlanIsEmpty() {
        long start = System.nanoTime();
        Plan plan = cluster.plan(options());
        assertThat(plan.isEmpty()).isFalse();
        ApplyResult result = cluster.apply(plan, options());
        long applyMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(result);
        assertThat(result.verified()).anyMatch(v -> v.contains("5 Nodes Ready"))
                .anyMatch(v -> v.contains("answers ok on all 5 hosts"));

        long replanStart = System.nanoTime();
        Plan again = cluster.plan(options());
        long replanMillis = (System.nanoTime() - replanStart) / 1_000_000;
        assertThat(again.isEmpty()).as("second plan:\n%s", again).isTrue();
        System.out.printf("FIGURE seed-apply: plan+apply %d ms, no-op plan %d ms, %d progress events%n", applyMillis,
                replanMillis, events.get());
    }

    @Test
    @Order(2)
    void everyHostsRealHaproxyBalancesToTheThreeMasters() {
        for (var host : fleet.hosts()) {
            String cfg = fleet.exec(host.hostname(), "cat", "/etc/haproxy/haproxy.cfg").orThrow().stdout();
            for (String master : MASTERS) {
                assertThat(cfg).as("%s's haproxy.cfg", host.hostname())
                        .containsPattern("(?m)^\\s*server " + master + " " + fleet.host(master).ip().replace(".", "\\.")
                                + ":6443$");
            }
            assertThat(cfg.lines().filter(l -> l.strip().startsWith("server "))).hasSize(3);
            // the real HAProxy runs (master and worker) and is the one listening on 127.0.0.1:3446
            assertThat(fleet.exec(host.hostname(), "systemctl", "is-active", "haproxy").orThrow().stdout().strip())
                    .isEqualTo("active");
            assertThat(fleet.exec(host.hostname(), "curl", "-sk", "--max-time", "5", "https://localhost:3446/readyz")
                    .orThrow().stdout().strip()).isEqualTo("ok");
        }
    }

    @Test
    @Order(3)
    void requestsKeepSucceedingOnEveryHostWhenAMasterDies() throws Exception {
        List<String> hosts = fleet.hosts().stream().map(h -> h.hostname()).toList();
        Duration window = FleetClusters.detectionTime();
        Duration probeTime = window.multipliedBy(2).plusSeconds(2);
        long killedAt;
        List<LoadBalancerProbe.HostSamples> seen;
        try (LoadBalancerProbe probe = LoadBalancerProbe.start(fleet, hosts, Duration.ofMillis(100),
                probeTime.plusSeconds(30))) {
            Thread.sleep(1000); // a baseline with all three masters up
            killedAt = System.currentTimeMillis();
            fleet.stopApiserver("master1");
            Thread.sleep(probeTime.toMillis());
            seen = probe.stop();
        }
        long afterWindow = killedAt + window.toMillis();
        long total = 0;
        long totalFailures = 0;
        long failuresAfterWindow = 0;
        for (var h : seen) {
            assertThat(h.samples()).as("requests on %s", h.host()).hasSizeGreaterThan(20);
            total += h.samples().size();
            totalFailures += h.failures();
            failuresAfterWindow += h.failuresFrom(afterWindow);
            System.out.printf("FIGURE seed-failover %s: %d requests, %d failed (curl exit %s), %d after the %d ms "
                    + "check window%n", h.host(), h.samples().size(), h.failures(), h.failureCodes(),
                    h.failuresFrom(afterWindow), window.toMillis());
        }
        System.out.printf("FIGURE seed-failover total: %d requests through localhost:3446 on %d hosts, %d failed, "
                + "%d failed after the check window (inter %ds, fall %d, fastinter %ds)%n", total, seen.size(),
                totalFailures, failuresAfterWindow, FleetClusters.CHECK_INTERVAL.toSeconds(), FleetClusters.FALL,
                FleetClusters.FAST_INTER.toSeconds());
        assertThat(failuresAfterWindow).as("failed requests after the health-check window").isZero();
        // HAProxy itself has marked master1 down by now; the curl on every host still answers through the others
        for (String host : hosts) {
            assertThat(fleet.exec(host, "curl", "-sk", "--max-time", "5", "https://localhost:3446/readyz").orThrow()
                    .stdout().strip()).isEqualTo("ok");
        }
    }
}
