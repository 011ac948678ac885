package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark harness, run only with {@code -Depiphany.bench=true}: a one-minor rolling upgrade (1.35.4 → 1.36.0) of 3
 * masters + N nodes (default 100; {@code -Depiphany.bench.nodes}) on the in-process SIMULATED fleet, every {@code
 * kubectl drain} taking a fixed delay ({@code -Depiphany.bench.drainMillis}, default 2000) as a stand-in for Pods
 * moving off a Node, settle time 0, {@code maxUnavailable} the default 10 %. The waiting time is the drain delay on
 * the critical path (one per sequential stage: a master, or a batch whose drains run at once); the rest is SDK time
 * (the engine, SSH, and the simulated commands, which answer at once). Figures go to stdout and
 * {@code target/upgrade-benchmark.txt}.
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class UpgradeBenchmark {
    @TempDir
    Path snapshots;

    @Test
    void upgradeOfThreeMastersAndNNodes() throws Exception {
        int nodes = Integer.getInteger("epiphany.bench.nodes", 100);
        long drainMillis = Long.getLong("epiphany.bench.drainMillis", 2000);
        List<String> out = new ArrayList<>();
        long start = System.nanoTime();
        try (FleetFixture f = new FleetFixture(3, nodes, SimulatedFleet.Options.defaults()
                .withKubeadmVersion("v1.35.4").withEtcdVersion("3.6.6"))) {
            out.add(String.format("fleet: 3 masters + %d nodes started in %.1f s", nodes, secs(start)));
            ApplyOptions options = f.optionsBuilder().upgradeSettleTime(Duration.ZERO)
                    .upgradeSnapshotDirectory(snapshots).build();
            Cluster base = f.all.toBuilder().allowEvenMasters(false).kubernetesVersion("1.35.4").build();
            long t = System.nanoTime();
            base.apply(options);
            out.add(String.format("install 1.35.4: %.1f s", secs(t)));
            f.fleet.drainDelay(Duration.ofMillis(drainMillis));
            f.resetCounters();
            Cluster target = base.toBuilder().kubernetesVersion("1.36.0").build();
            t = System.nanoTime();
            target.apply(options);
            double wall = secs(t);
            int batch = Math.max(1, (int) Math.ceil(nodes * options.upgradeMaxUnavailablePercent() / 100.0));
            int stages = 3 + (nodes + batch - 1) / batch;
            double waiting = stages * drainMillis / 1000.0;
            long commands = f.fleet.hosts().stream().mapToLong(SimulatedHost::commandCount).sum();
            out.add(String.format("upgrade 1.35.4 → 1.36.0: %.1f s wall; %d sequential stages (3 masters, %d batches "
                    + "of up to %d nodes); waiting (drain delay %d ms on the critical path): %.1f s; SDK time "
                    + "(wall - waiting): %.1f s, %.2f s per stage; %d commands", wall, stages, stages - 3, batch,
                    drainMillis, waiting, wall - waiting, (wall - waiting) / stages, commands));
            assertThat(f.fleet.nodes()).allSatisfy(n -> assertThat(n.kubeletVersion()).isEqualTo("v1.36.0"));
        }
        out.forEach(System.out::println);
        Files.write(Path.of("target", "upgrade-benchmark.txt"), out);
    }

    private static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
