package io.epiphany.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of one process split by who spent it, from per-thread CPU time sampled every 20 ms: the SIMULATED hosts
 * (threads named {@code sim-fleet-*} / {@code sshd-sim-fleet-*}: their SSH servers and simulated commands) against
 * everything else, which is the SDK (engine, SSH client) plus the harness. Threads that end between two samples lose up
 * to 20 ms each; that, GC and JIT are only in the process total, shown as "other".
 */
final class CpuByParty {
    private static final long PERIOD_MILLIS = 20;

    /** CPU milliseconds per party. */
    record Split(long sdk, long simCommands, long simSsh, long jvm) {
        @Override
        public String toString() {
            return String.format("SDK %d ms, simulated hosts %d ms (commands %d, SSH server %d), other %d ms (GC, JIT, threads ended between samples)",
                    sdk, simCommands + simSsh, simCommands, simSsh, jvm);
        }
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, Long> lastCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processStart;
    private final Thread sampler;
    private volatile boolean running = true;

    private CpuByParty() {
        processStart = processCpu();
        sample(true);
        sampler = new Thread(() -> {
            while (running) {
                sample(false);
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "benchmark-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static CpuByParty start() {
        return new CpuByParty();
    }

    Split stop() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        return new Split(sdk, simCommands, simSsh, Math.max(0, process - sdk - simCommands - simSsh));
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
