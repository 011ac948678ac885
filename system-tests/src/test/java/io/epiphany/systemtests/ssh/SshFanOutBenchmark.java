package io.epiphany.systemtests.ssh;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.FanOut;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SSH fan-out benchmark (not a test): starts N real sshd on loopback ports and runs one short command on all of them
 * with (a) OpenSSH's own client, N in parallel through {@code xargs -P N} — the floor; (b) epiphany-ssh with new
 * sessions (cold); (c) epiphany-ssh on the sessions it already has (warm). Each figure is the median of R rounds,
 * measured in the same run. Run with {@code benchmarks/ssh-fanout.sh} (root, openssh-server installed).
 */
public final class SshFanOutBenchmark {
    private SshFanOutBenchmark() {}

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (!OpenSshd.available()) {
            throw new IllegalStateException("needs root and /usr/sbin/sshd (apt-get install openssh-server)");
        }
        Path dir = Files.createTempDirectory("ssh-fanout-bench");
        Path key = OpenSshd.clientKey(dir, "ed25519", null);
        Path knownHosts = dir.resolve("known_hosts");
        List<OpenSshd> servers = new ArrayList<>();
        try {
            Path hostKey = null;
            StringBuilder known = new StringBuilder();
            for (int i = 0; i < hosts; i++) {
                OpenSshd s = OpenSshd.start(dir.resolve("sshd" + i), hostKey, 0);
                hostKey = s.hostKey; // one host key for all: key generation is not what is measured
                s.authorize("root", Path.of(key + ".pub"));
                servers.add(s);
                known.append(s.knownHostsLine()).append('\n');
            }
            Files.writeString(knownHosts, known);
            Path ports = dir.resolve("ports");
            Files.writeString(ports, String.join("\n", servers.stream().map(s -> String.valueOf(s.port)).toList())
                    + "\n");

            SshSettings settings = SshSettings.builder().privateKey(key).knownHosts(knownHosts)
                    .hostKeyPolicy(HostKeyPolicy.STRICT).build();
            List<Machine> machines = servers.stream()
                    .map(s -> Machine.builder().hostname("h" + s.port).ip("127.0.0.1").sshPort(s.port).build())
                    .toList();

            // Warm-up (discarded): JIT and class loading for ours, page cache for ssh's binary.
            openssh(key, knownHosts, ports, hosts);
            try (RemoteAccess access = RemoteAccess.load()) {
                fanOut(access, machines, settings);
            }

            long[] floor = new long[rounds];
            long[] cold = new long[rounds];
            long[] warm = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                floor[r] = openssh(key, knownHosts, ports, hosts);
                try (RemoteAccess access = RemoteAccess.load()) {
                    cold[r] = fanOut(access, machines, settings);
                    warm[r] = fanOut(access, machines, settings);
                }
            }
            long f = median(floor);
            long c = median(cold);
            long w = median(warm);
            System.out.printf("hosts=%d rounds=%d cores=%d%n", hosts, rounds, Runtime.getRuntime().availableProcessors());
            System.out.printf("openssh xargs -P %d (floor): median %d ms  all=%s%n", hosts, f, Arrays.toString(floor));
            System.out.printf("epiphany-ssh cold (new sessions): median %d ms  all=%s  ratio=%.2fx floor%n", c,
                    Arrays.toString(cold), (double) c / f);
            System.out.printf("epiphany-ssh warm (reused sessions): median %d ms  all=%s  ratio=%.2fx floor%n", w,
                    Arrays.toString(warm), (double) w / f);
        } finally {
            for (OpenSshd s : servers) {
                s.close();
            }
        }
    }

    private static long fanOut(RemoteAccess access, List<Machine> machines, SshSettings settings) {
        List<RemoteHost> hosts = machines.stream().map(m -> access.host(m, settings)).toList();
        long start = System.nanoTime();
        var outcomes = FanOut.over(hosts).concurrency(machines.size()).run(h -> h.runAsync(Command.of("true")));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        outcomes.forEach((h, o) -> {
            if (!o.succeeded() || o.value().orElseThrow().exitCode() != 0) {
                throw new IllegalStateException(h.hostname() + ": " + o);
            }
        });
        return ms;
    }

    private static long openssh(Path key, Path knownHosts, Path ports, int parallel) throws Exception {
        String ssh = "ssh -F /dev/null -i " + key + " -o BatchMode=yes -o StrictHostKeyChecking=yes"
                + " -o UserKnownHostsFile=" + knownHosts + " -p {} root@127.0.0.1 true";
        long start = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", "xargs -P " + parallel + " -I{} " + ssh + " < " + ports)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssh fan-out failed: " + out);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
