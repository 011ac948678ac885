package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two applies at once: the cluster lock lets exactly one change the cluster (issue 10 #1). */
class ConcurrentApplyTest {
    @Test
    void aSecondApplyWhileTheFirstRunsIsRefusedNamingTheHolderAndEtcdStaysRight() throws Exception {
        try (FleetFixture f = new FleetFixture(3, 1)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
            // slow the first apply down so the second one meets it on the masters
            f.fleet.host("n1").faults().delay(Duration.ofMillis(300));
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> c.apply(f.options()));
            Thread.sleep(1500);
            ApplyException refused = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                    () -> c.apply(f.options()));
            assertThat(refused.phase()).isEqualTo("Lock");
            assertThat(refused.getMessage()).contains("locked by").contains("since");
            first.get(5, TimeUnit.MINUTES);
            f.fleet.host("n1").faults().clear();

            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
            // released: the next apply takes the lock and changes nothing
            assertThat(c.apply(f.options()).unchanged()).isTrue();
        }
    }
}
