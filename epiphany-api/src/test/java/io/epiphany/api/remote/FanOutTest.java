package io.epiphany.api.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FanOutTest {

    @Test
    void synchronousActionsOnManyTargetsKeepTheStackFlatAndTheOrder() {
        List<Integer> targets = IntStream.range(0, 100_000).boxed().toList();
        Map<Integer, FanOut.Outcome<Integer>> r = FanOut.over(targets).concurrency(3)
                .run(i -> CompletableFuture.completedFuture(i * 2));
        assertThat(r).hasSize(100_000);
        assertThat(r.keySet()).containsExactlyElementsOf(targets);
        assertThat(r.get(99_999).value()).hasValue(199_998);
    }

    @Test
    void neverMoreThanTheConcurrencyInFlight() {
        List<CompletableFuture<Integer>> pending = new ArrayList<>();
        AtomicInteger started = new AtomicInteger();
        CompletableFuture<Map<Integer, FanOut.Outcome<Integer>>> done = FanOut.over(List.of(1, 2, 3, 4, 5))
                .concurrency(2).runAsync(i -> {
                    started.incrementAndGet();
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    synchronized (pending) {
                        pending.add(f);
                    }
                    return f;
                });
        assertThat(started.get()).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            CompletableFuture<Integer> f;
            synchronized (pending) {
                f = pending.get(i);
            }
            f.complete(i);
            assertThat(started.get()).isEqualTo(Math.min(5, i + 3));
        }
        assertThat(done.join().values()).allMatch(FanOut.Outcome::succeeded);
    }

    @Test
    void failFastCancelsInFlightAndSkipsTheRest() {
        CompletableFuture<Integer> slow = new CompletableFuture<>();
        Map<String, FanOut.Outcome<Integer>> r = FanOut.over(List.of("slow", "bad", "later")).concurrency(2)
                .failFast().run(t -> switch (t) {
                    case "slow" -> slow;
                    case "bad" -> CompletableFuture.failedFuture(new IllegalStateException("bad host"));
                    default -> CompletableFuture.completedFuture(1);
                });
        assertThat(slow).isCancelled();
        assertThat(r.get("slow").status()).isEqualTo(FanOut.Status.FAILED);
        assertThat(r.get("bad").failure()).hasValueSatisfying(e -> assertThat(e).hasMessage("bad host"));
        assertThat(r.get("later").status()).isEqualTo(FanOut.Status.SKIPPED);
    }

    @Test
    void anActionThatThrowsIsAFailedOutcome() {
        Map<String, FanOut.Outcome<Object>> r = FanOut.over(List.of("a")).run(t -> {
            throw new IllegalArgumentException("no");
        });
        assertThat(r.get("a").failure()).hasValueSatisfying(e -> assertThat(e).hasMessage("no"));
        assertThatThrownBy(() -> FanOut.over(List.of()).concurrency(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FanOut.over(List.<String>of()).run(t -> CompletableFuture.completedFuture(1))).isEmpty();
    }
}
