package io.epiphany.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of one process split by who spent it. The SIMULATED hosts run on long-lived pool threads (named
 * {@code sim-fleet-*}: their SSH servers and simulated commands), whose CPU time is sampled every 20 ms; the rest of
 * the process's CPU time is the SDK (engine, SSH client) plus the JVM's GC and JIT. The SDK's own threads are also
 * sampled, but only as a lower bound: its per-fan-out worker threads end between samples and lose up to 20 ms each.
 */
final class CpuByParty {
    private static final long PERIOD_MILLIS = 20;

    /** CPU milliseconds per party. */
    record Split(long process, long simCommands, long simSsh, long sdkSampled) {
        @Override
        public String toString() {
            return String.format("process %d ms = simulated hosts %d ms (commands %d, SSH server %d) + SDK and JVM "
                    + "%d ms (of which sampled on SDK threads: %d ms)", process, simCommands + simSsh, simCommands,
                    simSsh, process - simCommands - simSsh, sdkSampled);
        }
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processStart;
    private final PeriodicSampler sampler;

    private CpuByParty() {
        processStart = processCpu();
        sample(true);
        sampler = PeriodicSampler.every(PERIOD_MILLIS, "benchmark-cpu-sampler", () -> sample(false));
    }

    static CpuByParty start() {
        return new CpuByParty();
    }

    Split stop() {
        sampler.stop();
        sample(false);
        long sdk = 0;
        long simCommands = 0;
        long simSsh = 0;
        for (Map.Entry<Long, Long> e : lastCpu.entrySet()) {
            long used = (e.getValue() - startCpu.getOrDefault(e.getKey(), 0L)) / 1_000_000;
            String name = names.get(e.getKey());
            if (name.startsWith("benchmark-")) {
                continue;
            } else if (name.contains("sim-fleet-command")) {
                simCommands += used;
            } else if (name.contains("sim-fleet")) {
                simSsh += used;
            } else {
                sdk += used;
            }
        }
        long process = (processCpu() - processStart) / 1_000_000;
        return new Split(process, simCommands, simSsh, sdk);
    }

    private synchronized void sample(boolean first) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            if (first) {
                startCpu.put(info.getThreadId(), cpu);
            }
            lastCpu.put(info.getThreadId(), cpu);
            names.putIfAbsent(info.getThreadId(), info.getThreadName());
        }
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
