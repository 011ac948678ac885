package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.FanOut;
import io.epiphany.api.remote.RemoteHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Fan-out over 100 embedded servers: one outcome per host, bounded in-flight work, no thread per host. */
class FanOutTest extends SshFixture {

    @Test
    void hundredHostsWithBoundedConcurrencyAndNoThreadPerHost() throws Exception {
        List<RemoteHost> hosts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hosts.add(host(server()));
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        FanOut.over(hosts.subList(0, 10)).run(h -> h.runAsync(Command.of("true")));
        int afterTen = clientThreads();
        Map<RemoteHost, FanOut.Outcome<CommandResult>> outcomes = FanOut.over(hosts).concurrency(25).run(h -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return h.runAsync(Command.of("echo", h.hostname())).whenComplete((r, e) -> inFlight.decrementAndGet());
        });
        int after = clientThreads();
        assertThat(outcomes).hasSize(100);
        outcomes.forEach((h, o) -> {
            assertThat(o.succeeded()).as(h + " " + o).isTrue();
            assertThat(o.value().orElseThrow().stdout()).isEqualTo(h.hostname() + "\n");
        });
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(25);
        // MINA's client pools are sized by CPU count: 100 hosts use the threads 10 hosts used.
        assertThat(after).isEqualTo(afterTen);
        assertThat(after).isLessThanOrEqualTo(2 * (Runtime.getRuntime().availableProcessors() + 1) + 2);
    }

    @Test
    void failFastSkipsTheRestAndCollectAllReportsEveryHost() throws Exception {
        List<RemoteHost> hosts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            hosts.add(host(server()));
        }
        RemoteHost bad = hosts.get(0);
        var collected = FanOut.over(hosts).concurrency(2).run(h -> h.runAsync(Command.of("true"))
                .thenApply(r -> {
                    if (h == bad) {
                        throw new IllegalStateException("boom on " + h.hostname());
                    }
                    return r;
                }));
        assertThat(collected.get(bad).status()).isEqualTo(FanOut.Status.FAILED);
        assertThat(collected.values().stream().filter(FanOut.Outcome::succeeded)).hasSize(5);

        var fast = FanOut.over(hosts).concurrency(1).failFast().run(h -> h == bad
                ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("boom"))
                : h.runAsync(Command.of("true")));
        assertThat(fast.get(bad).status()).isEqualTo(FanOut.Status.FAILED);
        assertThat(fast.get(bad).failure().orElseThrow()).hasMessage("boom");
        assertThat(fast.values().stream().filter(o -> o.status() == FanOut.Status.SKIPPED)).hasSize(5);
    }

    private static int clientThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.contains("SshClient") || n.startsWith("epiphany-ssh")).count();
    }
}
