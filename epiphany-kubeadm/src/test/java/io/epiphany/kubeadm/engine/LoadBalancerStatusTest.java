package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancerStatus;
import io.epiphany.api.LoadBalancerStatus.Kind;
import io.epiphany.api.remote.Command;
import io.epiphany.haproxy.HaproxyService;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code cluster.loadBalancers()} on the SIMULATED fleet: one table of every host's HAProxy, and its flags. */
class LoadBalancerStatusTest {
    @Test
    void readsEveryHostsHaproxyAndFlagsWhatDisagrees() {
        try (FleetFixture f = new FleetFixture(3, 2)) {
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
}
