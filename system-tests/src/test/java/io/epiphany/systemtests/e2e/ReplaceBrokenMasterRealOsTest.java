package io.epiphany.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Finding;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 on the real-OS fleet: a master whose REAL etcd member is stopped is seen by the plan (the facts come through
 * the other masters' etcd), and a description that replaces it converges in one apply: the broken member is removed
 * first (2 healthy of 3 keep quorum), the replacement joins, REAL HAProxy on every host follows, keys written before
 * are read after, and no host's {@code localhost:3446} fails longer than the health-check window. SIMULATED: kubeadm,
 * kubelet, kubectl and the API servers (stand-ins), as in {@link MasterScalingRealOsTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ReplaceBrokenMasterRealOsTest {
    private static final List<String> NODES = List.of("node1");
    private static final List<String> BEFORE = List.of("master1", "master2", "master3");
    private static final List<String> AFTER = List.of("master2", "master3", "master4");
    private static final int KEYS = 10;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private RealOsFleet fleet;

    @BeforeAll
    void startFleet() {
        fleet = FleetClusters.start(List.of("master1", "master2", "master3", "master4"), NODES, java.util.Map.of());
    }

    @AfterAll
    void stopFleet() {
        FleetClusters.stop(fleet);
    }

    @Test
    void aMasterWithItsEtcdStoppedIsReplacedInOneApplyKeepingDataAndServing() throws Exception {
        ApplyOptions options = ApplyOptions.builder().healthTimeout(Duration.ofMinutes(1)).build();
        Cluster before = FleetClusters.cluster(fleet, "replace", BEFORE, NODES);
        before.apply(options);
        for (int i = 0; i < KEYS; i++) {
            FleetClusters.etcdctl(fleet, "master2", "put", "/e2e/replace-" + i, "value-" + i).orThrow();
        }
        fleet.stopEtcdMember("master1");

        Plan sick = before.plan(options);
        assertThat(sick.isEmpty()).isFalse();
        assertThat(sick.findings()).extracting(Finding::host).contains("master1");

        Cluster after = FleetClusters.cluster(fleet, "replace", AFTER, NODES);
        Plan plan = after.plan(options);
        System.out.print(plan);
        assertThat(plan.steps().stream().filter(s -> s.quorum().isPresent()).map(s -> s.kind() + " " + s.host()))
                .containsExactly(PlannedStep.Kind.REMOVE + " master1", PlannedStep.Kind.JOIN + " master4");

        long window = FleetClusters.detectionTime().toMillis();
        // the hosts that serve before and after: master4 has no load balancer until this apply gives it one
        List<String> probed = new ArrayList<>(List.of("master2", "master3"));
        probed.addAll(NODES);
        List<LoadBalancerProbe.HostSamples> seen;
        long start = System.nanoTime();
        try (LoadBalancerProbe probe = LoadBalancerProbe.start(fleet, probed, Duration.ofMillis(200),
                Duration.ofMinutes(4))) {
            after.apply(plan, options);
            seen = probe.stop();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(after.plan(options).isEmpty()).as("re-plan after the replacement").isTrue();

        List<String> names = new ArrayList<>();
        JSON.readTree(FleetClusters.etcdctl(fleet, "master4", "member", "list", "-w", "json").orThrow().stdout())
                .path("members").forEach(m -> names.add(m.path("name").asText()));
        assertThat(names).as("REAL etcd members").containsExactlyInAnyOrderElementsOf(AFTER);
        for (int i = 0; i < KEYS; i++) {
            assertThat(FleetClusters.etcdctl(fleet, "master4", "get", "/e2e/replace-" + i).orThrow().stdout().lines()
                    .toList()).containsExactly("/e2e/replace-" + i, "value-" + i);
        }
        long failures = seen.stream().mapToLong(LoadBalancerProbe.HostSamples::failures).sum();
        long longest = seen.stream().mapToLong(LoadBalancerProbe.HostSamples::longestOutageMillis).max().orElse(0);
        System.out.printf("FIGURE replace-broken-master: apply %d ms; %d requests through localhost:3446 on %d hosts, "
                + "%d failed, longest outage %d ms (check window %d ms)%n", millis,
                seen.stream().mapToLong(h -> h.samples().size()).sum(), seen.size(), failures, longest, window);
        for (var h : seen) {
            assertThat(h.longestOutageMillis()).as("longest outage on %s", h.host()).isLessThanOrEqualTo(window);
        }
    }
}
