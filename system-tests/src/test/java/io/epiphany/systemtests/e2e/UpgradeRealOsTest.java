package io.epiphany.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13 on the real-OS fleet: a rolling upgrade of 3 masters and 2 nodes from 1.36 to 1.37 while every host's REAL
 * curl asks its own {@code localhost:3446} every 200 ms through its REAL HAProxy. Each master's apiserver stand-in is
 * really stopped and started again when the SIMULATED {@code kubeadm upgrade} rewrites its manifest (a replaced pod),
 * so a request the engine did not move off that master first fails. REAL: OpenSSH with a sudo user, HAProxy and its
 * runtime API (drain), etcd, curl. SIMULATED: kubeadm, kubelet, kubectl, the package manager holding both releases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class UpgradeRealOsTest {
    private static final String FROM = "1.36.3";
    private static final String TO = "1.37.0";
    private static final List<String> MASTERS = List.of("master1", "master2", "master3");
    private static final List<String> NODES = List.of("node1", "node2");
    private static final int KEYS = 10;

    private RealOsFleet fleet;
    private List<String> hosts;

    @BeforeAll
    void startFleet() {
        fleet = FleetClusters.start(MASTERS, NODES, Map.of("epiphany.sim.kubeadm-version", "v" + FROM,
                "epiphany.sim.etcd-version", "3.6.6"));
        hosts = fleet.hosts().stream().map(h -> h.hostname()).toList();
    }

    @AfterAll
    void stopFleet() {
        FleetClusters.stop(fleet);
    }

    @Test
    void upgradesOneMasterAtATimeWithoutAFailedRequest() throws Exception {
        Path snapshots = Files.createTempDirectory("epiphany-upgrade-e2e");
        List<String> upgradeSteps = new CopyOnWriteArrayList<>();
        ProgressListener listener = ProgressListener.of(e -> {
            System.out.printf("EVENT %d %s%n", System.currentTimeMillis(), e);
            if (e.type() == ProgressEvent.Type.STEP_STARTED && e.phase().startsWith("Upgrade")) {
                upgradeSteps.add(e.host().orElse("?"));
            }
        });
        ApplyOptions options = ApplyOptions.builder().healthTimeout(Duration.ofMinutes(1)).listener(listener)
                .upgradeSettleTime(Duration.ofSeconds(2)).upgradeSnapshotDirectory(snapshots).build();
        Cluster at = cluster(FROM);
        at.apply(options);
        io.epiphany.api.Plan first = at.plan(options);
        assertThat(first.isEmpty()).as("a re-plan of the %s cluster:%n%s", FROM, first).isTrue();
        // the REAL etcd holds only what is written to it (the SIMULATED API server keeps its objects elsewhere): keys
        // for the snapshot before the upgrade, read back after it
        for (int i = 0; i < KEYS; i++) {
            FleetClusters.etcdctl(fleet, "master1", "put", "/e2e/key-" + i, "value-" + i).orThrow();
        }

        Cluster target = cluster(TO);
        List<LoadBalancerProbe.HostSamples> seen;
        long start = System.nanoTime();
        ApplyResult result;
        try (LoadBalancerProbe probe = LoadBalancerProbe.start(fleet, hosts, Duration.ofMillis(200),
                Duration.ofMinutes(8))) {
            result = target.apply(options);
            seen = probe.stop();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(result);

        long requests = seen.stream().mapToLong(h -> h.samples().size()).sum();
        long failures = seen.stream().mapToLong(LoadBalancerProbe.HostSamples::failures).sum();
        long slowest = seen.stream().mapToLong(LoadBalancerProbe.HostSamples::slowestMillis).max().orElse(0);
        System.out.printf("FIGURE upgrade %s -> %s of 3 masters + 2 nodes: apply %d ms; %d requests through "
                + "localhost:3446 on %d hosts, %d failed, slowest answer %d ms%n", FROM, TO, millis, requests,
                seen.size(), failures, slowest);
        for (var h : seen) {
            System.out.printf("FIGURE upgrade %s: %d requests, %d failed (curl exit %s), slowest answer %d ms%n",
                    h.host(), h.samples().size(), h.failures(), h.failureCodes(), h.slowestMillis());
            h.samples().stream().filter(s -> !s.ok()).forEach(s -> System.out.printf(
                    "PROBE %d %s failed, curl exit %d after %d ms%n", s.startMillis(), h.host(), s.exitCode(),
                    s.millis()));
        }

        // the masters one at a time (each restart only after the one before is healthy again), then the workers
        assertThat(upgradeSteps).containsSubsequence("master1", "master2", "master3", "node1");
        for (var h : seen) {
            assertThat(h.samples()).as("requests on %s", h.host()).hasSizeGreaterThan(50);
            assertThat(h.failures()).as("failed requests on %s during the upgrade", h.host()).isZero();
        }
        for (String host : hosts) {
            assertThat(fleet.exec(host, "kubeadm", "version", "-o", "short").orThrow().stdout().strip())
                    .as("kubeadm on %s", host).isEqualTo("v" + TO);
        }
        for (int i = 0; i < KEYS; i++) {
            assertThat(FleetClusters.etcdctl(fleet, "master3", "get", "/e2e/key-" + i).orThrow().stdout().lines()
                    .toList()).containsExactly("/e2e/key-" + i, "value-" + i);
        }
        io.epiphany.api.Plan again = target.plan(options);
        assertThat(again.isEmpty()).as("a re-plan after the upgrade:%n%s", again).isTrue();
    }

    private Cluster cluster(String version) {
        return FleetClusters.cluster(fleet, "upgrade", MASTERS, NODES).toBuilder().kubernetesVersion(version).build();
    }
}
