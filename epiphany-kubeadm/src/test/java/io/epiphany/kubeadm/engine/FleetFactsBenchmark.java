package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.Machine;
import io.epiphany.api.Plan;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "1,000 hosts in one JVM": {@code cluster.plan()} (fact gathering on every host, then every phase's
 * prepare) over 3 masters + N-3 nodes of one in-process SIMULATED fleet, each N with a new {@code RemoteAccess} (so
 * every host is connected cold), sampling every 50 ms: the controller's threads, heap used, and the sessions the fleet
 * sees not yet authenticated (the SDK's connects in flight, as the servers count them). One fleet of the largest N
 * serves every N (hosts beyond N stay idle), so the fleet's own cost is the same in every row.
 *
 * <p>The SDK's threads are the ones that did not exist before the {@code RemoteAccess} was made and are not the
 * fleet's: the fleet names its shared pools {@code sim-fleet-*}, the SFTP server names its per-channel threads
 * {@code SftpSubsystem}, and the per-server JDK channel-group threads exist from the fleet's start (the SDK's static
 * {@code epiphany-*} pools count even when older). A harness, not a gate: runs only with {@code -Depiphany.bench=true},
 * asserts only that every plan succeeded, and writes {@code target/fleet-facts-benchmark.txt}. Rerun: see BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class FleetFactsBenchmark {
    private static final Path FIGURES = Path.of("target", "fleet-facts-benchmark.txt");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void planOnNHostsOfOneJvm(@TempDir Path dir) throws Exception {
        List<Integer> sizes = Arrays.stream(System.getProperty("epiphany.bench.hosts", "100,250,500,1000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int rounds = Integer.getInteger("epiphany.bench.rounds", 1);
        int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Files.deleteIfExists(FIGURES);
        record(String.format(Locale.ROOT, "machine: %d cores, load %s, java %s, max heap %d MiB, sizes %s, rounds %d",
                Runtime.getRuntime().availableProcessors(), load(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, sizes, rounds));
        long t0 = System.nanoTime();
        try (SimulatedFleet fleet = SimulatedFleet.start(described(max, dir))) {
            record(String.format(Locale.ROOT, "fleet: %d simulated hosts started in %d ms, %d threads in the JVM",
                    max, ms(t0), THREADS.getThreadCount()));
            Cluster all = fleet.cluster();
            plan(fleet, all, Math.min(20, max)); // class loading and JIT: not reported
            for (int r = 0; r < rounds; r++) {
                for (int n : sizes) {
                    record(plan(fleet, all, n).line(n));
                }
            }
            record("load at the end " + load());
        }
    }

    private static Cluster described(int n, Path dir) {
        Cluster.Builder b = Cluster.builder().name("bench").cni(Cni.manifest(SimulatedFleet.cniManifest(dir)));
        for (int i = 0; i < n; i++) {
            Machine m = Machine.of((i < 3 ? "m" : "n") + i, "10.30." + (i / 250) + "." + (1 + i % 250));
            if (i < 3) {
                b.addMaster(m);
            } else {
                b.addNode(m);
            }
        }
        return b.build();
    }

    /** One plan over the first {@code n} machines (3 masters, n-3 nodes) with a new RemoteAccess, sampled. */
    private static Measured plan(SimulatedFleet fleet, Cluster all, int n) throws Exception {
        Cluster cluster = all.toBuilder().nodes(all.nodes().subList(0, n - 3)).build();
        fleet.hosts().forEach(SimulatedHost::resetCounters);
        long heap0 = heapAfterGc();
        Set<Long> before = new HashSet<>();
        for (long id : THREADS.getAllThreadIds()) {
            before.add(id);
        }
        Sampler sampler = new Sampler(before, fleet.hosts());
        Thread sampling = new Thread(sampler, "bench-sampler");
        sampling.setDaemon(true);
        sampling.start();
        long start = System.nanoTime();
        Plan plan;
        long retained;
        try (RemoteAccess access = RemoteAccess.load()) {
            plan = cluster.plan(ApplyOptions.builder().remoteAccess(access).build());
            long wall = ms(start);
            sampler.stop = true;
            sampling.join(5_000);
            retained = heapAfterGc() - heap0; // every session still open
            long commands = fleet.hosts().stream().mapToLong(SimulatedHost::commandCount).sum();
            if (plan.steps().isEmpty()) {
                throw new IllegalStateException("a plan for a fresh fleet must not be empty");
            }
            return new Measured(wall, sampler, heap0, retained, commands, plan.steps().size());
        }
    }

    private record Measured(long wallMillis, Sampler s, long heap0, long retained, long commands, int steps) {
        String line(int n) {
            return String.format(Locale.ROOT, "N=%4d: plan %6d ms (%d steps, %.1f commands/host) | SDK threads peak %d"
                    + " (fleet's new threads peak %d) | heap used peak +%d MiB over the %d MiB before, retained after"
                    + " GC with the sessions open +%d MiB (%.1f KiB/host) | connects in flight (server view) peak %d"
                    + " | SDK threads at their peak: %s | fleet's: %s", n, wallMillis, steps, (double) commands / n, s.sdkPeak,
                    s.fleetPeak, (s.heapPeak - heap0) >> 20, heap0 >> 20, retained >> 20, retained / 1024.0 / n,
                    s.connectingPeak, s.sdkAtPeak, s.fleetAtPeak);
        }
    }

    /** Samples threads (by name, no stack walk), heap used and unauthenticated sessions until stopped. */
    private static final class Sampler implements Runnable {
        private final Set<Long> before;
        private final List<SimulatedHost> hosts;
        volatile boolean stop;
        volatile int sdkPeak;
        volatile int fleetPeak;
        volatile long heapPeak;
        volatile int connectingPeak;
        volatile Map<String, Integer> sdkAtPeak = Map.of();
        volatile Map<String, Integer> fleetAtPeak = Map.of();

        Sampler(Set<Long> before, List<SimulatedHost> hosts) {
            this.before = before;
            this.hosts = hosts;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(30);
            while (!stop && System.nanoTime() < deadline) {
                sample();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            sample();
        }

        private void sample() {
            Map<String, Integer> sdk = new TreeMap<>();
            Map<String, Integer> fleet = new TreeMap<>();
            int sdkCount = 0;
            int fleetCount = 0;
            for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0)) {
                // a static SDK pool (epiphany-sftp until issue 16) outlives a RemoteAccess: epiphany-* count always
                if (t == null || before.contains(t.getThreadId()) && !t.getThreadName().startsWith("epiphany-")
                        || t.getThreadName().equals("bench-sampler")) {
                    continue;
                }
                if (fleetThread(t.getThreadName())) {
                    fleetCount++;
                    fleet.merge(t.getThreadName().replaceAll("\\d+", "#"), 1, Integer::sum);
                } else {
                    sdkCount++;
                    sdk.merge(t.getThreadName().replaceAll("\\d+", "#"), 1, Integer::sum);
                }
            }
            if (sdkCount > sdkPeak) {
                sdkPeak = sdkCount;
                sdkAtPeak = sdk;
            }
            if (fleetCount > fleetPeak) {
                fleetPeak = fleetCount;
                fleetAtPeak = fleet;
            }
            heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            int connecting = 0;
            for (SimulatedHost h : hosts) {
                connecting += h.unauthenticatedSessionCount();
            }
            connectingPeak = Math.max(connectingPeak, connecting);
        }
    }

    /**
     * The fleet's: its shared pools ({@code sim-fleet-*}, MINA prefixes {@code sshd-}) and the SFTP server's one
     * thread per open SFTP channel ({@code SftpSubsystem}, a server class; the SDK's SFTP client has no such thread).
     */
    static boolean fleetThread(String name) {
        return name.contains("sim-fleet") || name.contains("SftpSubsystem");
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void record(String line) throws java.io.IOException {
        System.out.println("[fleet-facts] " + line);
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
