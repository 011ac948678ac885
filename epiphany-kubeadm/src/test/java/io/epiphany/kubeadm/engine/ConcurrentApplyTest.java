package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Two applies at once: the cluster lock lets exactly one change the cluster (issue 10 #1). */
@SimulatedFleetTest
class ConcurrentApplyTest {
    @Test
    void aSecondApplyWhileTheFirstRunsIsRefusedNamingTheHolderAndEtcdStaysRight(
            @Fleet(masters = 3, nodes = 1, network = FleetFixture.NETWORK) SimulatedFleet fleet) throws Exception {
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster c = f.cluster(List.of("m1", "m2", "m3"), List.of("n1"));
            // the first apply stops at its first program on n1 once it holds the lock on every master, until the
            // second apply has met it there
            List<java.nio.file.Path> locks = f.fleet.hosts().stream().filter(h -> h.hostname().startsWith("m"))
                    .map(h -> h.root().resolve("var/lib/epiphany/lock")).toList();
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean gated = new AtomicBoolean();
            f.fleet.host("n1").processes().onProgram(words -> {
                if (locks.stream().allMatch(java.nio.file.Files::isDirectory) && gated.compareAndSet(false, true)) {
                    holding.countDown();
                    try {
                        release.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> c.apply(f.options()));
            try {
                assertThat(holding.await(2, TimeUnit.MINUTES)).as("the first apply reached n1").isTrue();
                ApplyException refused = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                        () -> c.apply(f.options()));
                assertThat(refused.phase()).isEqualTo("Lock");
                assertThat(refused.getMessage()).contains("locked by").contains("since");
            } finally {
                release.countDown();
            }
            first.get(5, TimeUnit.MINUTES);
            f.fleet.host("n1").processes().removeHooks();

            assertThat(f.etcdMembers("m1")).containsExactly("m1", "m2", "m3");
            assertThat(c.plan(f.options()).isEmpty()).isTrue();
            // released: the next apply takes the lock and changes nothing
            assertThat(c.apply(f.options()).unchanged()).isTrue();
        }
    }
}
