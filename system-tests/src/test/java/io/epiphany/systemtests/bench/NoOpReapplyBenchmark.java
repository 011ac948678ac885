package io.epiphany.systemtests.bench;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.systemtests.e2e.FleetClusters;
import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.RealOsFleet;
import io.epiphany.testkit.CountingRemoteAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 16: a no-op re-apply ({@code cluster.apply()} on a converged cluster) of 3 masters + N nodes on the real-OS
 * fleet (real OpenSSH 9.2, real HAProxy and etcd in network namespaces; SIMULATED kubeadm, kubelet, kubectl) against
 * one OpenSSH floor round over the same hosts ({@code ssh host hostname} on every host in parallel, default kex).
 * Variants run interleaved (the order rotates every round) after one discarded warm-up round. Each SDK run is counted
 * by {@link CountingRemoteAccess}: execs, SFTP operations and bytes per master and per node, so a regression in round
 * trips shows as a number. Goal: ≤ 2× the floor. A harness, not a gate: it runs only with
 * {@code -Depiphany.bench=true}, and writes {@code target/noop-reapply-benchmark.txt}.
 *
 * <p>Rerun: {@code sudo ./system-test -pl system-tests -am -Dtest=NoOpReapplyBenchmark -Depiphany.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (options: {@code -Depiphany.bench.nodes=7,27},
 * {@code -Depiphany.bench.rounds=5}).
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class NoOpReapplyBenchmark {
    private static final Path FIGURES = Path.of("target", "noop-reapply-benchmark.txt");
    private static final List<String> MASTERS = List.of("master1", "master2", "master3");

    /** A run's time, and what it asked of the hosts. */
    private record Run(long ms, String detail) {}

    private interface Variant {
        Run run() throws Exception;
    }

    @Test
    void noOpReapplyAgainstTheOpenSshFloor() throws Exception {
        List<Integer> steps = java.util.Arrays.stream(System.getProperty("epiphany.bench.nodes", "7").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int rounds = Integer.getInteger("epiphany.bench.rounds", 5);
        int max = steps.stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<String> allNodes = IntStream.rangeClosed(1, max).mapToObj(i -> "node" + i).toList();
        Files.deleteIfExists(FIGURES);
        RealOsFleet fleet = FleetClusters.start(MASTERS, allNodes, Map.of());
        try {
            record("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load " + load() + ", nodes "
                    + steps + ", rounds " + rounds + " (+1 warm-up)");
            for (int n : steps) {
                List<String> nodes = allNodes.subList(0, n);
                Cluster cluster = FleetClusters.cluster(fleet, "noop", MASTERS, nodes);
                ApplyResult created;
                try (RemoteAccess access = RemoteAccess.load()) {
                    created = cluster.apply(options(access));
                }
                record("N=" + n + ": converged (" + created.verified() + ")");
                List<String> names = new ArrayList<>(MASTERS);
                names.addAll(nodes);
                List<FleetHost> hosts = names.stream().map(fleet::host).toList();
                Map<String, Variant> variants = new LinkedHashMap<>();
                variants.put("floor: ssh hostname, default kex", () -> {
                    var r = LbChangeBenchmark.openssh(fleet, hosts, null, "hostname", null, l -> true);
                    return new Run(r.ms(), "");
                });
                variants.put("SDK no-op apply, new RemoteAccess", () -> noOp(cluster, false));
                variants.put("SDK no-op apply, sessions already open", () -> noOp(cluster, true));
                Map<String, List<Run>> runs = new LinkedHashMap<>();
                variants.keySet().forEach(k -> runs.put(k, new ArrayList<>()));
                List<String> order = new ArrayList<>(variants.keySet());
                for (int r = 0; r <= rounds; r++) {
                    for (int i = 0; i < order.size(); i++) {
                        String name = order.get((i + r) % order.size());
                        Run run = variants.get(name).run();
                        if (r > 0) {
                            runs.get(name).add(run);
                        }
                    }
                }
                long floor = median(runs.get(order.get(0)));
                record("3 masters + " + n + " nodes (load " + load() + ")");
                runs.forEach((name, list) -> record(String.format(Locale.ROOT,
                        "  %-40s median %6d ms  min-max %d-%d  %.2fx floor  %s  all=%s", name, median(list),
                        list.stream().mapToLong(Run::ms).min().orElseThrow(),
                        list.stream().mapToLong(Run::ms).max().orElseThrow(), (double) median(list) / floor,
                        list.get(list.size() - 1).detail(), list.stream().map(Run::ms).toList())));
            }
        } finally {
            FleetClusters.stop(fleet);
        }
    }

    private static ApplyOptions options(RemoteAccess access) {
        return ApplyOptions.builder().remoteAccess(access).healthTimeout(Duration.ofMinutes(1)).build();
    }

    /**
     * {@code cluster.apply()} on the converged cluster, timed with a new RemoteAccess (connects included, as the floor
     * connects), or on sessions a first untimed apply opened.
     */
    private static Run noOp(Cluster cluster, boolean warm) {
        try (CountingRemoteAccess access = CountingRemoteAccess.wrap(RemoteAccess.load())) {
            if (warm) {
                check(cluster.apply(options(access)));
                access.reset();
            }
            long start = System.nanoTime();
            check(cluster.apply(options(access)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Run(ms, perHost(cluster, access));
        }
    }

    private static void check(ApplyResult r) {
        if (!r.unchanged()) {
            throw new IllegalStateException("the re-apply changed something: " + r);
        }
    }

    /** Execs, SFTP operations and bytes per master and per node (the first master also does the cluster reads). */
    private static String perHost(Cluster cluster, CountingRemoteAccess access) {
        StringBuilder sb = new StringBuilder();
        var first = access.traffic(cluster.masters().get(0).hostname());
        sb.append("first master: ").append(first);
        var others = cluster.masters().subList(1, cluster.masters().size()).stream()
                .map(m -> access.traffic(m.hostname())).toList();
        var nodes = cluster.nodes().stream().map(m -> access.traffic(m.hostname())).toList();
        sb.append("; other masters: ").append(average(others)).append("; nodes: ").append(average(nodes));
        return sb.toString();
    }

    private static String average(List<CountingRemoteAccess.Traffic> t) {
        if (t.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f execs, %.1f SFTP, %.0f B sent, %.0f B received each",
                t.stream().mapToLong(CountingRemoteAccess.Traffic::execs).average().orElse(0),
                t.stream().mapToLong(CountingRemoteAccess.Traffic::sftp).average().orElse(0),
                t.stream().mapToLong(CountingRemoteAccess.Traffic::bytesSent).average().orElse(0),
                t.stream().mapToLong(CountingRemoteAccess.Traffic::bytesReceived).average().orElse(0));
    }

    private static long median(List<Run> runs) {
        long[] s = runs.stream().mapToLong(Run::ms).sorted().toArray();
        return s[s.length / 2];
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void record(String line) {
        System.out.println("[noop-reapply] " + line);
        try {
            Files.createDirectories(FIGURES.getParent());
            Files.writeString(FIGURES, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
