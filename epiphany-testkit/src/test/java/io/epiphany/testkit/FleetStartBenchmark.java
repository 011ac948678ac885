package io.epiphany.testkit;

import io.epiphany.api.Machine;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * Measures starting a SIMULATED fleet: wall time, heap after GC and live threads, for each size given, against a
 * baseline measured in the same run (N default MINA servers, each with its own IO threads and no simulation).
 * Run: see BENCHMARKS.md ("Simulated fleet"). Not a unit test: it prints figures, asserts nothing.
 */
public final class FleetStartBenchmark {
    private FleetStartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {100, 1000} : java.util.Arrays.stream(args)
                .mapToInt(Integer::parseInt).toArray();
        System.out.printf("java %s, %d cpus, max heap %d MiB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        baseline(Math.min(100, sizes[0]));
        for (int n : sizes) {
            fleet(n);
        }
    }

    private static void baseline(int n) throws Exception {
        long heap0 = usedHeap();
        int threads0 = threads();
        long t0 = System.nanoTime();
        List<SshServer> servers = new ArrayList<>();
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        for (int i = 0; i < n; i++) {
            SshServer s = SshServer.setUpDefaultServer();
            s.setHost("127.0.0.1");
            s.setPort(0);
            s.setKeyPairProvider(KeyPairProvider.wrap(g.generateKeyPair()));
            s.start();
            servers.add(s);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        report("baseline: " + n + " default MINA SshServers", ms, usedHeap() - heap0, threads() - threads0, n);
        for (SshServer s : servers) {
            s.stop(true);
        }
    }

    private static void fleet(int n) throws Exception {
        List<Machine> machines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            machines.add(Machine.of("h" + i, "10." + (20 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256)));
        }
        long heap0 = usedHeap();
        int threads0 = threads();
        long t0 = System.nanoTime();
        try (SimulatedFleet fleet = SimulatedFleet.start(machines)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long heap = usedHeap() - heap0;
            int threads = threads() - threads0;
            long c0 = System.nanoTime();
            try (TestSsh ssh = new TestSsh(fleet)) {
                for (int i = 0; i < n; i += Math.max(1, n / 20)) {
                    if (ssh.run("h" + i, "kubeadm version -o short").exit() != 0) {
                        throw new IllegalStateException("h" + i + " did not answer");
                    }
                }
            }
            long cms = (System.nanoTime() - c0) / 1_000_000;
            report("SimulatedFleet: " + n + " hosts", ms, heap, threads, n);
            System.out.printf("  20 connect+auth+command round trips (cold client): %d ms%n", cms);
        }
    }

    private static void report(String what, long ms, long heapBytes, int threads, int n) {
        System.out.printf("%-45s start %6d ms (%.2f ms/host)  heap +%5d MiB (%.1f KiB/host)  threads +%d%n", what,
                ms, (double) ms / n, heapBytes >> 20, heapBytes / 1024.0 / n, threads);
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
