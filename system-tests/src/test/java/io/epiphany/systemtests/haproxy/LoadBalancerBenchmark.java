package io.epiphany.systemtests.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.systemtests.SystemAssumptions;
import io.epiphany.systemtests.fleet.FleetHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The measurements of issue 12 on the real-OS fleet (real HAProxy in every host's namespaces, TLS apiserver stand-ins
 * on the masters): health checks per second arriving at each master for 50/100/200 hosts, and failover (a master's
 * apiserver killed; its link cut) while every host sends a request every 100 ms, for the old and the candidate
 * defaults. A harness, not a gate: it runs only with {@code -Depiphany.bench=true} (minutes of wall time) and writes
 * its figures to {@code target/lb-benchmark-figures.txt}; the normal run keeps {@code HaproxyDefaultsFailoverTest}.
 *
 * <p>Rerun: {@code sudo ./system-test -Dtest=LoadBalancerBenchmark -Depiphany.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (options: {@code -Depiphany.bench.hosts=50,100,200},
 * {@code -Depiphany.bench.variants=old,new,shutdown,nopassive}).
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class LoadBalancerBenchmark {
    private static final Path FIGURES = Path.of("target", "lb-benchmark-figures.txt");
    private static final Pattern INTER = Pattern.compile(" inter (\\d+)s");

    /** The renderer's defaults (HaproxyConfig), chosen from these figures. */
    static final LbVariant NEW = new LbVariant("new: inter 60s fastinter 2s downinter 10s fall 3 rise 2, observe layer4"
            + " error-limit 2 on-error mark-down, connect 1s, spread-checks 20",
            "check check-ssl verify none inter 60s fastinter 2s downinter 10s fall 3 rise 2 observe layer4"
                    + " error-limit 2 on-error mark-down", "1s", "    spread-checks 20\n");
    /** Measured and rejected: the request whose failure marks the master down is closed with it. */
    static final LbVariant NEW_WITH_SHUTDOWN = new LbVariant("new + on-marked-down shutdown-sessions",
            NEW.backendServerOptions() + " on-marked-down shutdown-sessions", "1s", "    spread-checks 20\n");
    /** Measured and rejected: a master cut off keeps costing 1 s per request sent to it until its next check. */
    static final LbVariant NEW_WITHOUT_PASSIVE = new LbVariant("inter 60s without passive checks, connect 1s",
            "check check-ssl verify none inter 60s fastinter 2s downinter 10s fall 3 rise 2", "1s",
            "    spread-checks 20\n");

    /** The variants by short name, in the order asked for ({@code -Depiphany.bench.variants=old,new,shutdown,nopassive}). */
    private static List<LbVariant> variants() {
        java.util.Map<String, LbVariant> all = java.util.Map.of("old", LbVariant.OLD, "new", NEW,
                "nopassive", NEW_WITHOUT_PASSIVE, "shutdown", NEW_WITH_SHUTDOWN);
        List<LbVariant> chosen = new ArrayList<>();
        for (String name : System.getProperty("epiphany.bench.variants", "old,new,nopassive").split(",")) {
            LbVariant v = all.get(name.trim());
            if (v == null) {
                throw new IllegalArgumentException("no variant '" + name + "'; known: " + all.keySet());
            }
            chosen.add(v);
        }
        return chosen;
    }

    private static Duration inter(LbVariant v) {
        Matcher m = INTER.matcher(v.backendServerOptions());
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : Duration.ofSeconds(2);
    }

    /**
     * Checks per second at each master: HAProxy started on 50, then 100, then 200 nodes (the masters' own HAProxy
     * stays off: a node's checks are what grows with the fleet); counted over one check interval (at least 30 s)
     * after one interval of warm-up.
     */
    @Test
    void checksPerSecondPerMaster() throws Exception {
        SystemAssumptions.assumeRealOsFleet();
        List<Integer> steps = Arrays.stream(System.getProperty("epiphany.bench.hosts", "50,100,200").split(","))
                .map(Integer::parseInt).toList();
        int max = steps.get(steps.size() - 1);
        try (LbFleet lb = LbFleet.start(3, max)) {
            for (LbVariant v : variants()) {
                if (v != NEW && v != LbVariant.OLD) {
                    continue; // the same checks as NEW
                }
                Duration inter = inter(v);
                Duration window = inter.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : inter;
                List<double[]> points = new ArrayList<>();
                int running = 0;
                for (int hosts : steps) {
                    lb.haproxy(lb.nodes.subList(running, hosts), v.config(lb.masters));
                    running = hosts;
                    Thread.sleep(inter.toMillis());
                    double[] rate = rates(lb, window);
                    points.add(new double[] {hosts, rate[0], rate[1]});
                    record(String.format(Locale.ROOT, "checks | %s | %d hosts | %.2f checks/s per master (mean of "
                            + "3 over %d s) | busiest second at one master: %.0f", v.name(), hosts, rate[0],
                            window.toSeconds(), rate[1]));
                }
                double[] line = fit(points);
                record(String.format(Locale.ROOT, "checks | %s | line: %.4f * hosts + %.2f -> 1,000 hosts: %.1f/s,"
                        + " 5,000 hosts: %.1f/s per master", v.name(), line[0], line[1], line[0] * 1000 + line[1],
                        line[0] * 5000 + line[1]));
                lb.stopHaproxy(lb.nodes.subList(0, running));
                Thread.sleep(2000);
            }
        }
    }

    /** {mean checks/s per master, the largest one-second count at one master} over {@code window}. */
    private static double[] rates(LbFleet lb, Duration window) throws InterruptedException {
        int masters = lb.masters.size();
        long[] first = new long[masters];
        long[] last = new long[masters];
        for (int i = 0; i < masters; i++) {
            first[i] = lb.connections(lb.masters.get(i));
            last[i] = first[i];
        }
        long start = System.nanoTime();
        long end = start + window.toNanos();
        double peak = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            for (int i = 0; i < masters; i++) {
                long now = lb.connections(lb.masters.get(i));
                double seconds = (System.nanoTime() - t0) / 1e9;
                peak = Math.max(peak, (now - last[i]) / seconds);
                last[i] = now;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (int i = 0; i < masters; i++) {
            total += last[i] - first[i];
        }
        return new double[] {total / seconds / masters, peak};
    }

    /** Least squares: {slope, intercept} of the mean rate over the host count. */
    private static double[] fit(List<double[]> points) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        double slope = n < 2 ? sy / sx : (n * sxy - sx * sy) / (n * sxx - sx * sx);
        return new double[] {slope, n < 2 ? 0 : (sy - slope * sx) / n};
    }

    /**
     * Failover: 3 masters + 7 nodes, every one of the 10 hosts sending a request every 100 ms through its own
     * localhost:3446; after 5 s master m1's apiserver is killed (SIGKILL) or its link cut (every packet to :6443
     * dropped in its namespace) for 20 s, then brought back; 20 s more.
     */
    @Test
    void failover() throws Exception {
        SystemAssumptions.assumeRealOsFleet();
        try (LbFleet lb = LbFleet.start(3, 7)) {
            FleetHost m1 = lb.masters.get(0);
            for (LbVariant v : variants()) {
                for (String event : List.of("apiserver killed", "link cut")) {
                    lb.haproxy(lb.all(), v.config(lb.masters));
                    Thread.sleep(3000);
                    FailoverRun run = FailoverRun.run(lb, m1, event.equals("link cut") ? () -> lb.cut(m1)
                                    : () -> lb.killApiserver(m1),
                            event.equals("link cut") ? () -> lb.heal(m1) : () -> lb.fleet.startApiserver(m1.hostname()));
                    record("failover | " + v.name() + " | " + event + " | " + run.summary());
                    assertThat(run.total()).isPositive();
                }
            }
        }
    }

    static void record(String line) throws IOException {
        System.out.println("FIGURE " + line);
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
