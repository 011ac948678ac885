package io.epiphany.systemtests.e2e;

import io.epiphany.systemtests.fleet.RealOsFleet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Requests through every host's own {@code localhost:3446} with the host's REAL curl and REAL HAProxy, in a loop
 * inside each host (bounded in count and time, stopped early by a stop file), every result timestamped. The API
 * servers behind it are the fleet's apiserver stand-ins.
 */
final class LoadBalancerProbe implements AutoCloseable {
    private static final String STOP_FILE = "/tmp/epiphany-lb-probe.stop";
    private static final String SCRIPT = """
            rm -f %1$s
            n=0; end=$(( $(date +%%s%%N) / 1000000 + %2$d ))
            while [ ! -e %1$s ] && [ $n -lt %3$d ] && [ $(( $(date +%%s%%N) / 1000000 )) -lt $end ]; do
              t=$(( $(date +%%s%%N) / 1000000 ))
              out=$(curl -sk --max-time %5$d https://localhost:3446/readyz 2>/dev/null); rc=$?
              [ "$rc" = 0 ] && [ "$out" != ok ] && rc=200
              echo "$t $rc $(( $(date +%%s%%N) / 1000000 - t ))"
              n=$((n + 1)); sleep %4$s
            done
            """;

    /**
     * How long one request may take before it counts as failed. Not 2 s: on a loaded 2-core machine the fleet's
     * SIMULATED programs (a JVM each) starve everything while the engine only reads facts (stop 10: every curl
     * timeout of a failing MasterScalingRealOsTest run started before the apply's first step), and a request that is
     * slow but answered is not one the load balancer lost. A load balancer's own failures are quick (refused, reset,
     * 503) or hang for good (a backend that accepts and never answers): both still count.
     */
    static final int MAX_SECONDS = 10;

    /**
     * One request: when it started (epoch ms), curl's exit code (0 = "ok"; 200 = answered but not "ok") and how long
     * it took.
     */
    record Sample(long startMillis, int exitCode, long millis) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Everything one host saw. */
    record HostSamples(String host, List<Sample> samples) {
        long failures() {
            return samples.stream().filter(s -> !s.ok()).count();
        }

        /** The distinct curl exit codes of the failed requests (7 refused, 28 timeout, 35 TLS, 52 empty reply...). */
        java.util.Set<Integer> failureCodes() {
            return samples.stream().filter(s -> !s.ok()).map(Sample::exitCode)
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }

        long failuresFrom(long epochMillis) {
            return samples.stream().filter(s -> !s.ok() && s.startMillis() >= epochMillis).count();
        }

        /** The slowest request that succeeded, in ms. */
        long slowestMillis() {
            return samples.stream().filter(Sample::ok).mapToLong(Sample::millis).max().orElse(0);
        }

        /** The longest time from a failed request to the next good one (or to the last request), in ms. */
        long longestOutageMillis() {
            long longest = 0;
            long firstFailure = -1;
            for (Sample s : samples) {
                if (!s.ok() && firstFailure < 0) {
                    firstFailure = s.startMillis();
                } else if (s.ok() && firstFailure >= 0) {
                    longest = Math.max(longest, s.startMillis() - firstFailure);
                    firstFailure = -1;
                }
            }
            if (firstFailure >= 0 && !samples.isEmpty()) {
                longest = Math.max(longest, samples.get(samples.size() - 1).startMillis() - firstFailure);
            }
            return longest;
        }
    }

    private final RealOsFleet fleet;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<String>> outputs = new LinkedHashMap<>();
    private final Duration maxDuration;

    private LoadBalancerProbe(RealOsFleet fleet, Duration maxDuration) {
        this.fleet = fleet;
        this.maxDuration = maxDuration;
    }

    /** Starts a probe loop on each host: one request every {@code pause}, for at most {@code maxDuration}. */
    static LoadBalancerProbe start(RealOsFleet fleet, List<String> hosts, Duration pause, Duration maxDuration)
            throws IOException {
        LoadBalancerProbe probe = new LoadBalancerProbe(fleet, maxDuration);
        long maxRequests = maxDuration.toMillis() / Math.max(1, pause.toMillis()) + 1;
        String script = String.format(SCRIPT, STOP_FILE, maxDuration.toMillis(), maxRequests,
                String.format("%.3f", pause.toMillis() / 1000.0), MAX_SECONDS);
        try {
            for (String host : hosts) {
                Process p = fleet.spawn(host, "sh", "-c", script);
                p.getOutputStream().close();
                probe.processes.put(host, p);
                InputStream in = p.getInputStream();
                probe.outputs.put(host, CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                }));
            }
        } catch (IOException | RuntimeException e) {
            probe.close();
            throw e;
        }
        return probe;
    }

    /** Stops every loop and returns what each host saw. */
    List<HostSamples> stop() {
        for (String host : processes.keySet()) {
            fleet.exec(host, "touch", STOP_FILE);
        }
        List<HostSamples> result = new ArrayList<>();
        for (var e : processes.entrySet()) {
            try {
                if (!e.getValue().waitFor(maxDuration.toSeconds() + 10, TimeUnit.SECONDS)) {
                    e.getValue().destroyForcibly();
                }
                String out = outputs.get(e.getKey()).get(10, TimeUnit.SECONDS);
                List<Sample> samples = out.lines().map(l -> l.trim().split(" ")).filter(f -> f.length == 3)
                        .map(f -> new Sample(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2])))
                        .toList();
                result.add(new HostSamples(e.getKey(), samples));
            } catch (Exception ex) {
                throw new IllegalStateException("probe on " + e.getKey() + " did not finish: " + ex, ex);
            }
        }
        processes.clear();
        return result;
    }

    @Override
    public void close() {
        for (var e : processes.entrySet()) {
            fleet.exec(e.getKey(), "touch", STOP_FILE);
            e.getValue().destroyForcibly();
        }
        processes.clear();
    }
}
