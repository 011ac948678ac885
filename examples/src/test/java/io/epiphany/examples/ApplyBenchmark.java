package io.epiphany.examples;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Benchmark harness (not a test): {@code apply()} of 3 masters + N nodes (default 100) on the in-process SIMULATED
 * fleet, then the no-op re-apply, optionally once more with a fixed delay before every simulated command to show how
 * the run scales with per-command latency. Reports wall time per phase, commands sent, CPU by party (the SDK vs the
 * simulated hosts, see {@link CpuByParty}) and what the engine's own thread was doing (see {@link MainThreadProfile}).
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am install -DskipTests
 * java -cp 'examples/target/test-classes:examples/target/epiphany-examples.jar:examples/target/lib/*' \
 *     io.epiphany.examples.ApplyBenchmark [nodes=100] [delayMillis=0 ...]
 * </pre>
 */
public final class ApplyBenchmark {
    private ApplyBenchmark() {}

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        List<Integer> delays = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            delays.add(Integer.parseInt(args[i]));
        }
        if (delays.isEmpty()) {
            delays.add(0);
        }
        System.out.printf("machine: %d cores, %s %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        // the first apply in a JVM pays for class loading and JIT: a small unreported one first
        run(10, Duration.ZERO, false);
        for (int delay : delays) {
            run(nodes, Duration.ofMillis(delay), true);
        }
    }

    private static java.nio.file.Path tempDir() {
        try {
            return java.nio.file.Files.createTempDirectory("bench-cni");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(int nodeCount, Duration delay, boolean print) {
        List<Machine> masters = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            masters.add(Machine.of("m" + i, "10.20.0." + i));
        }
        List<Machine> nodes = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(Machine.of("n" + i, "10.20." + (1 + i / 250) + "." + (1 + i % 250)));
        }
        Cluster described = Cluster.builder().name("bench").masters(masters).nodes(nodes)
                .cni(io.epiphany.api.Cni.manifest(SimulatedFleet.cniManifest(tempDir()))).build();
        java.io.PrintStream out = print ? System.out : new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        out.printf("%n== apply: 3 masters + %d nodes, simulated command delay %d ms%n", nodeCount,
                delay.toMillis());
        long startFleet = System.nanoTime();
        try (SimulatedFleet fleet = SimulatedFleet.start(described);
                RemoteAccess access = RemoteAccess.load()) {
            out.printf("fleet started: %d SSH servers in %d ms%n", fleet.hosts().size(), ms(startFleet));
            fleet.hosts().forEach(h -> h.faults().delay(delay));
            Cluster cluster = fleet.cluster();
            Map<String, Long> phases = new LinkedHashMap<>();
            ApplyOptions options = ApplyOptions.builder().remoteAccess(access).listener(ProgressListener.of(e -> {
                if (e.type() == ProgressEvent.Type.PHASE_FINISHED) {
                    synchronized (phases) {
                        phases.put(e.phase(), e.duration().orElseThrow().toMillis());
                    }
                }
            })).build();

            Measured first = measure(fleet, () -> cluster.apply(options));
            report(out, "apply", first, phases);
            phases.clear();
            Measured again = measure(fleet, () -> cluster.apply(options));
            report(out, "re-apply", again, phases);
            if (!again.result.unchanged() || again.stateChanging != 0 || again.writes != 0) {
                throw new IllegalStateException("the re-apply changed something: " + again.result.plan());
            }
        }
    }

    private record Measured(ApplyResult result, long wallMillis, long commands, long stateChanging, long writes,
            CpuByParty.Split cpu, MainThreadProfile.Split main) {}

    private static Measured measure(SimulatedFleet fleet, java.util.function.Supplier<ApplyResult> apply) {
        fleet.hosts().forEach(SimulatedHost::resetCounters);
        CpuByParty cpu = CpuByParty.start();
        MainThreadProfile profile = MainThreadProfile.start(Thread.currentThread());
        long start = System.nanoTime();
        ApplyResult result = apply.get();
        long wall = ms(start);
        MainThreadProfile.Split main = profile.stop();
        return new Measured(result, wall, sum(fleet, SimulatedHost::commandCount),
                sum(fleet, SimulatedHost::stateChangingCommandCount), sum(fleet, SimulatedHost::writeCount),
                cpu.stop(), main);
    }

    private static void report(java.io.PrintStream out, String what, Measured m, Map<String, Long> phases) {
        out.printf("%s: %d ms wall, %d changes, %d commands (%d state-changing), %d file writes%n", what,
                m.wallMillis, m.result.plan().steps().size(), m.commands, m.stateChanging, m.writes);
        phases.forEach((phase, millis) -> out.printf("  phase %-26s %7d ms%n", phase, millis));
        // apply() = plan (facts from every host) + a second fact gathering that checks nothing moved + the phases
        out.printf("  facts (plan + re-check)    %7d ms%n",
                m.wallMillis - phases.values().stream().mapToLong(Long::longValue).sum());
        out.println("  CPU: " + m.cpu);
        out.println("  engine thread: " + m.main);
    }

    private static long sum(SimulatedFleet fleet, ToLongFunction<SimulatedHost> counter) {
        return fleet.hosts().stream().mapToLong(counter).sum();
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
