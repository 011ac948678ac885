package io.epiphany.systemtests.haproxy;

import io.epiphany.systemtests.fleet.FleetHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One failover run: a {@link RequestStream} on every host (a request every 100 ms through its own localhost:3446),
 * {@code event} on a master after {@link #BEFORE_MS} (its time read inside the host, so a request counts as in
 * flight when it started before the event and ended after it), {@code recovery} {@link #DURING_MS} later, and
 * {@link #AFTER_MS} more. The figures: failed requests (and how many of them were already in flight at the event),
 * the worst request time against the median, and how long after the recovery each host first got an answer from the
 * master again (the longest over hosts).
 */
record FailoverRun(int total, int failed, int failedInFlight, long medianMillis, long worstMillis, long worstOkMillis,
                   int slowerThanOneSecond, long backAfterMillis, int hostsBack, int hosts, String failures) {
    static final long BEFORE_MS = 5_000;
    static final long DURING_MS = 20_000;
    static final long AFTER_MS = 20_000;

    /**
     * @param event does the event and returns when it happened (epoch ms, read inside the host just before it)
     */
    static FailoverRun run(LbFleet lb, FleetHost master, java.util.function.LongSupplier event, Runnable recovery)
            throws Exception {
        int count = (int) ((BEFORE_MS + DURING_MS + AFTER_MS) / 100);
        List<RequestStream> streams = new ArrayList<>();
        long eventAt;
        long eventDone;
        long recoveryAt;
        try {
            for (FleetHost h : lb.all()) {
                streams.add(RequestStream.start(lb.fleet, h.hostname(), count));
            }
            Thread.sleep(BEFORE_MS);
            eventAt = event.getAsLong();
            eventDone = eventAt;
            Thread.sleep(DURING_MS);
            recoveryAt = System.currentTimeMillis();
            recovery.run();
            // bounded: the streams end after their count; at most the run's length plus one request's maximum
            long deadline = System.currentTimeMillis() + AFTER_MS + RequestStream.MAX_TIME.toMillis() + 10_000;
            while (System.currentTimeMillis() < deadline
                    && streams.stream().anyMatch(s -> s.results().size() < count)) {
                Thread.sleep(500);
            }
        } finally {
            streams.forEach(RequestStream::close);
        }
        List<RequestStream.Result> all = new ArrayList<>();
        streams.forEach(s -> all.addAll(s.results()));
        int failed = (int) all.stream().filter(r -> !r.ok()).count();
        int inFlight = (int) all.stream().filter(r -> !r.ok() && r.startMillis() <= eventDone
                && r.endMillis() >= eventAt).count();
        List<Long> times = all.stream().map(RequestStream.Result::millis).sorted().toList();
        long back = 0;
        int hostsBack = 0;
        for (RequestStream s : streams) {
            Optional<RequestStream.Result> first = s.firstServedBy(master.hostname(), recoveryAt);
            if (first.isPresent()) {
                hostsBack++;
                back = Math.max(back, first.get().startMillis() - recoveryAt);
            }
        }
        long median = times.isEmpty() ? 0 : times.get(times.size() / 2);
        long worstOk = all.stream().filter(RequestStream.Result::ok).mapToLong(RequestStream.Result::millis).max()
                .orElse(0);
        int slow = (int) all.stream().filter(r -> r.millis() > median + 1000).count();
        // each failure: curl's exit code @ seconds after the event (the recovery came DURING_MS after it)
        String failures = all.stream().filter(r -> !r.ok()).sorted(java.util.Comparator.comparingLong(
                        RequestStream.Result::startMillis))
                .map(r -> String.format(Locale.ROOT, "%d@%+.1fs", r.exitCode(), (r.startMillis() - eventAt) / 1000.0))
                .collect(java.util.stream.Collectors.joining(" "));
        return new FailoverRun(all.size(), failed, inFlight, median, times.isEmpty() ? 0 : times.get(times.size() - 1),
                worstOk, slow, back, hostsBack, streams.size(), failures);
    }

    String summary() {
        return String.format(Locale.ROOT, "%d requests, %d failed (%d in flight at the event) | median %d ms, worst "
                        + "%d ms, worst answered %d ms (+%d ms), %d more than 1 s over the median | master used again "
                        + "by %d of %d hosts, the last %.1f s after it came back",
                total, failed, failedInFlight, medianMillis, worstMillis, worstOkMillis, worstOkMillis - medianMillis,
                slowerThanOneSecond, hostsBack, hosts,
                backAfterMillis / 1000.0) + (failures.isEmpty() ? "" : " | failures (curl exit@time from the event, "
                + "recovery at +" + DURING_MS / 1000 + "s): " + failures);
    }
}
