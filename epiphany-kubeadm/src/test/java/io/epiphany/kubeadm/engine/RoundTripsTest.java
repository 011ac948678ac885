package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.testkit.CountingRemoteAccess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: round trips per host on a converged SIMULATED cluster (3 masters, 1 node), counted by
 * {@link CountingRemoteAccess}, so a regression shows as a number.
 */
class RoundTripsTest {
    private static FleetFixture f;
    private static Cluster c;
    private static CountingRemoteAccess counting;

    @BeforeAll
    static void converge() {
        f = new FleetFixture(3, 1);
        c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
        c.apply(f.options());
        counting = CountingRemoteAccess.wrap(f.access);
    }

    @AfterAll
    static void close() {
        f.close();
    }

    @Test
    void factGatheringPerHost() {
        counting.reset();
        new FactsGatherer(c, new Hosts(c, counting), c.machines()).gather();
        System.out.println("[round-trips] facts: " + counting.traffic());
    }

    @Test
    void noOpReapplyPerHost() {
        counting.reset();
        var r = c.apply(f.optionsBuilder().remoteAccess(counting).build());
        assertThat(r.unchanged()).isTrue();
        System.out.println("[round-trips] no-op re-apply: " + counting.traffic());
    }
}
