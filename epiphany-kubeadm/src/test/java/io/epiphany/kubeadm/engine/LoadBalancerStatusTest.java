package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Finding;
import io.epiphany.api.Plan;
import io.epiphany.api.LoadBalancerStatus;
import io.epiphany.api.LoadBalancerStatus.Kind;
import io.epiphany.api.remote.Command;
import io.epiphany.haproxy.HaproxyService;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@code cluster.loadBalancers()} on the SIMULATED fleet: one table of every host's HAProxy, and its flags. */
@Execution(ExecutionMode.CONCURRENT)
@SimulatedFleetTest
class LoadBalancerStatusTest {
    @Test
    void readsEveryHostsHaproxyAndFlagsWhatDisagrees(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1", "n2"));
            c.apply(f.options());

            LoadBalancerStatus status = c.loadBalancers(f.options());
            assertThat(status.hosts()).extracting(LoadBalancerStatus.Host::host)
                    .containsExactly("m1", "m2", "m3", "n1", "n2");
            assertThat(status.flags()).isEmpty();
            for (LoadBalancerStatus.Host h : status.hosts()) {
                assertThat(h.configAsDescribed()).as(h.host()).isTrue();
                assertThat(h.servers()).extracting(LoadBalancerStatus.Server::name).containsExactly("m1", "m2", "m3");
                assertThat(h.servers()).allSatisfy(s -> {
                    assertThat(s.status()).isEqualTo("UP");
                    assertThat(s.lastCheck()).isEqualTo("L7OK");
                });
            }
            assertThat(status.table()).contains("n2").contains("10.10.1.12:6443").doesNotContain("! ");

            // a master drained on one host: that host's config differs (until ready), the master takes no traffic there
            HaproxyService n1 = new HaproxyService(f.access.host(f.all.machine("n1").orElseThrow(), f.all.ssh()));
            n1.drain("m2", Duration.ofSeconds(5));
            status = c.loadBalancers(f.options());
            assertThat(status.flags()).extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.CONFIG_DIFFERS, "n1"));
            assertThat(status.hosts().get(3).server("m2").orElseThrow().takesTraffic()).isFalse();
            n1.ready("m2");

            // HAProxy stopped on a node; a master's API server down
            f.run("n2", Command.of("systemctl", "stop", "haproxy").asRoot()).orThrow();
            f.fleet.host("m3").crashControlPlane();
            status = c.loadBalancers(f.options());
            assertThat(status.flags()).extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Kind.NOT_RUNNING, "n2"),
                            org.assertj.core.groups.Tuple.tuple(Kind.DOWN_ON_EVERY_HOST, "m3"));
            assertThat(status.table()).contains("HAProxy not running").contains("L4CON");
        }
    }

    @Test
    void planReportsAPartitionAndApplyDoesNotVerifyWhileAHostCannotReachAMaster(
            @Fleet(masters = 3, nodes = 2, network = FleetFixture.NETWORK) SimulatedFleet fleet) {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1", "n2"));
            c.apply(f.options());
            assertThat(c.plan(f.options()).isEmpty()).isTrue();

            // n1 and n2 cannot reach m2; every master still can: a partition, not a master down
            f.fleet.host("n1").cutLinkTo("m2");
            f.fleet.host("n2").cutLinkTo("m2");
            Plan plan = c.plan(f.options());
            assertThat(plan.isEmpty()).as("a plan while two hosts cannot reach a master").isFalse();
            assertThat(plan.findings()).extracting(Finding::host, Finding::problem).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("m2", "m2 is DOWN on [n1, n2] but up on [m1, m2, m3]: a "
                            + "network partition between them, or a firewall"));
            assertThat(plan.findings().get(0).remedy()).contains("m2:6443");

            // /readyz still answers through the other masters, but the hosts are not highly available: Verify says so
            ApplyOptions quick = f.options().toBuilder().healthTimeout(Duration.ofSeconds(2)).build();
            assertThatThrownBy(() -> c.apply(quick)).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("Verify").hasMessageContaining("n1")
                    .hasMessageContaining("its HAProxy does not send to [m2 DOWN, last check L4TOUT]");

            f.fleet.host("n1").restoreLinks();
            f.fleet.host("n2").restoreLinks();
            assertThat(c.plan(f.options()).isEmpty()).as("the plan once the links are back").isTrue();
        }
    }
}
