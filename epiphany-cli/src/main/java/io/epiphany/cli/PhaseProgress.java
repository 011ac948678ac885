package io.epiphany.cli;

import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressEvent;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The state of the phase that is running, built from {@link ProgressEvent}s: how many of its hosts are done, which
 * host has been running its current step the longest, and how long the phase has taken. A host is done when it has
 * finished as many steps as the plan gave it in this phase (one, for phases the plan does not list, e.g. reset) and
 * runs none. A phase's hosts are the plan's, or the given default hosts, growing with any host seen in an event.
 * Cluster-wide steps (host {@code "cluster"}) are no host to count, but can be the slowest step running.
 * Not thread-safe: {@link ProgressView} serialises calls.
 */
final class PhaseProgress {
    /** The host step running longest: the one to wait for. */
    record Running(String host, String step, Duration elapsed) { }

    /** What a progress line shows. */
    record Snapshot(String phase, int hostsDone, int hostsTotal, int failed, Optional<Running> slowest,
            Duration elapsed) {
        /** Hosts done as a fraction of all, 0 when the phase has no hosts (e.g. verification). */
        double fraction() {
            return hostsTotal == 0 ? 0 : (double) hostsDone / hostsTotal;
        }
    }

    private static final String CLUSTER_WIDE = "cluster";

    private final Map<String, Map<String, Integer>> plannedSteps;
    private final Set<String> defaultHosts;
    private final LongSupplier nanoClock;

    private String phase;
    private long phaseStart;
    private final Map<String, Integer> expected = new LinkedHashMap<>();
    private final Map<String, Integer> finished = new HashMap<>();
    private final Map<String, Long> runningSince = new HashMap<>();
    private final Map<String, String> runningStep = new HashMap<>();
    private final Set<String> failedHosts = new LinkedHashSet<>();

    /**
     * @param plan         what will run, for each phase's hosts and their step counts; empty for operations without one
     * @param defaultHosts the hosts of a phase the plan does not list (reset: every machine)
     * @param nanoClock    a monotonic clock in nanoseconds ({@code System::nanoTime}; a test's own)
     */
    PhaseProgress(Optional<Plan> plan, Set<String> defaultHosts, LongSupplier nanoClock) {
        this.plannedSteps = new HashMap<>();
        plan.ifPresent(p -> p.byPhase().forEach((phase, steps) -> plannedSteps.put(phase, countByHost(steps))));
        this.defaultHosts = Set.copyOf(defaultHosts);
        this.nanoClock = nanoClock;
    }

    private static Map<String, Integer> countByHost(List<PlannedStep> steps) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        steps.stream().filter(s -> !s.host().equals(CLUSTER_WIDE))
                .forEach(s -> counts.merge(s.host(), 1, Integer::sum));
        return counts;
    }

    /** Takes one event into account: a phase start begins a new count; host steps count in the running phase. */
    void accept(ProgressEvent e) {
        if (e.type() == ProgressEvent.Type.PHASE_STARTED || phase == null) {
            start(e.phase());
        }
        String host = e.host().orElse(null);
        if (host == null) {
            return;
        }
        if (!host.equals(CLUSTER_WIDE)) {
            expected.putIfAbsent(host, 1);
        }
        switch (e.type()) {
            case STEP_STARTED -> {
                runningSince.put(host, nanoClock.getAsLong());
                runningStep.put(host, e.step().orElse(""));
            }
            case STEP_FINISHED -> {
                stopRunning(host);
                finished.merge(host, 1, Integer::sum);
            }
            case STEP_FAILED -> {
                stopRunning(host);
                failedHosts.add(host.equals(CLUSTER_WIDE) ? phase : host);
            }
            default -> { }
        }
    }

    private void start(String newPhase) {
        phase = newPhase;
        phaseStart = nanoClock.getAsLong();
        expected.clear();
        finished.clear();
        runningSince.clear();
        runningStep.clear();
        failedHosts.clear();
        Map<String, Integer> planned = plannedSteps.get(newPhase);
        if (planned != null) {
            expected.putAll(planned);
        } else {
            defaultHosts.forEach(h -> expected.put(h, 1));
        }
    }

    private void stopRunning(String host) {
        runningSince.remove(host);
        runningStep.remove(host);
    }

    /** Whether a phase has started (and so a snapshot means something). */
    boolean started() {
        return phase != null;
    }

    Snapshot snapshot() {
        long now = nanoClock.getAsLong();
        int done = (int) expected.entrySet().stream()
                .filter(h -> !runningSince.containsKey(h.getKey())
                        && finished.getOrDefault(h.getKey(), 0) >= h.getValue())
                .count();
        Optional<Running> slowest = runningSince.entrySet().stream()
                .min(Comparator.comparingLong(Map.Entry<String, Long>::getValue).thenComparing(Map.Entry::getKey))
                .map(r -> new Running(r.getKey(), runningStep.get(r.getKey()), Duration.ofNanos(now - r.getValue())));
        return new Snapshot(phase, done, expected.size(), failedHosts.size(), slowest,
                Duration.ofNanos(now - phaseStart));
    }
}
