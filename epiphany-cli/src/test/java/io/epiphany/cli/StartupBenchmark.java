package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's start-up figure: the time from launching {@code epiphany plan} to its first SSH connect, against a bare
 * JVM that opens one TCP connection ({@link StartupFloor}), both measured in the same run, interleaved. The "machine"
 * is a listener on 127.0.0.1 that notes when the connection arrives and how much CPU the process has used by then
 * (from /proc, so the figure holds up on a loaded machine), then closes it; nothing leaves the machine.
 *
 * <p>Variants: the JVM as {@code java -jar} starts it; with an application class-data sharing archive (what
 * {@code ./epiphany} now creates beside the jar); that archive with the C1 compiler only; and with the launcher's
 * compile thresholds and young-generation minimum too (what {@code ./epiphany} runs without {@code --simulated}).
 *
 * <p>A harness, not a gate: runs only with {@code -Depiphany.bench=true}. Rerun: {@code ./mvnw -B -pl epiphany-cli -am
 * package -DskipTests}, then {@code ./mvnw -B -pl epiphany-cli -am verify -Dtest=StartupBenchmark -Depiphany.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (rounds:
 * {@code -Depiphany.bench.rounds=7}); figures in {@code epiphany-cli/target/startup-benchmark.txt}.
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class StartupBenchmark {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final int ROUNDS = Integer.getInteger("epiphany.bench.rounds", 7);

    @TempDir
    Path dir;

    @Test
    void firstConnectAgainstABareJvm() throws Exception {
        Path archive = dir.resolve("cli.jsa");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target", "test-classes").toAbsolutePath().toString();
        // class-data sharing archives classes from jars only: the CLI runs as users start it, from its packaged jar
        Path jar = Path.of("target", "epiphany-cli.jar").toAbsolutePath();
        assertThat(jar).as("the packaged CLI (run `./mvnw -B -pl epiphany-cli -am package -DskipTests` first)")
                .exists();
        // a listener per launch: a command's later connects (retries) must not answer the next launch's accept
        Map<String, Function<Path, List<String>>> variants = new LinkedHashMap<>();
        variants.put("bare JVM: one TCP connect (the floor)", file -> List.of(java, "-cp", cp,
                StartupFloor.class.getName(), file.getFileName().toString().replaceAll("\\D", "")));
        variants.put("epiphany plan, default JVM", file -> List.of(java, "-jar", jar.toString(), "plan", "-f", "" + file));
        variants.put("epiphany plan, CDS archive", file -> List.of(java, "-XX:SharedArchiveFile=" + archive, "-jar",
                jar.toString(), "plan", "-f", "" + file));
        variants.put("epiphany plan, CDS archive, C1 only", file -> List.of(java, "-XX:SharedArchiveFile=" + archive,
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "plan", "-f", "" + file));
        variants.put("epiphany plan, CDS archive, C1 only, thresholds x5, NewSize=64m (what ./epiphany runs)",
                file -> List.of(java, "-XX:SharedArchiveFile=" + archive, "-XX:TieredStopAtLevel=1",
                        "-XX:CompileThresholdScaling=5", "-XX:NewSize=64m", "-jar", jar.toString(), "plan", "-f",
                        "" + file));
        // warm-up: the page cache, and the archive the CDS variants map
        measure(file -> List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(), "plan", "-f",
                "" + file));
        assertThat(archive).exists();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, Function<Path, List<String>>> v : variants.entrySet()) {
                samples.get(v.getKey()).add(measure(v.getValue()));
            }
        }
        report(samples);
    }

    private record Sample(long wallMillis, long cpuMillis) { }

    /** Launches {@code command}, waits for its first connection, and notes the wall time and the CPU it had used. */
    private Sample measure(Function<Path, List<String>> commandFor) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> command = commandFor.apply(clusterFile(listener.getLocalPort()));
            return measure(listener, command);
        }
    }

    private static Sample measure(ServerSocket listener, List<String> command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            listener.setSoTimeout(60_000);
            try (Socket s = listener.accept()) {
                long wall = (System.nanoTime() - start) / 1_000_000;
                return new Sample(wall, cpuMillis(p.pid()));
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no connection within 60 s from " + command, e);
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** utime + stime of every thread of the process so far (fields 14 and 15 of /proc/PID/stat). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", "" + pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
    }

    /** A one-master cluster file at 127.0.0.1:{@code port}; its name carries the port for the floor's command. */
    private Path clusterFile(int port) throws Exception {
        Path key = dir.resolve("id_rsa");
        if (!Files.exists(key)) {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(gen.generateKeyPair().getPrivate()
                    .getEncoded()) + "\n-----END PRIVATE KEY-----\n");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
        return Files.writeString(dir.resolve("cluster-" + port + ".yml"), String.join("\n",
                "kind: epiphany-cluster", "provider: any", "name: bench", "specification:", "  name: bench",
                "  admin_user:", "    name: root", "    key_path: " + key,
                "  components:", "    kubernetes_master:", "      count: 1", "      machines: [m1]",
                "    kubernetes_node:", "      count: 0",
                "---", "kind: infrastructure/machine", "provider: any", "name: m1", "specification:",
                "  hostname: m1", "  ip: 192.168.77.1", "  ssh_address: 127.0.0.1", "  ssh_port: " + port,
                "---", "kind: configuration/kubernetes-ha", "provider: any", "name: bench", "specification:",
                "  ssh:", "    known_hosts: " + knownHosts, "    connect_attempts: 1", ""));
    }

    private static List<String> join(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void report(Map<String, List<Sample>> samples) throws IOException {
        StringBuilder out = new StringBuilder("| launch to first connect (median of " + ROUNDS + ", min-max) "
                + "| wall | CPU used by then | wall / floor |\n|---|---:|---:|---:|\n");
        long floor = median(samples.values().iterator().next(), Sample::wallMillis);
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            List<Sample> s = e.getValue();
            long wall = median(s, Sample::wallMillis);
            out.append(String.format("| %s | %d ms (%d-%d) | %d ms (%d-%d) | %.1f |%n", e.getKey(), wall,
                    min(s, Sample::wallMillis), max(s, Sample::wallMillis), median(s, Sample::cpuMillis),
                    min(s, Sample::cpuMillis), max(s, Sample::cpuMillis), (double) wall / Math.max(1, floor)));
        }
        out.append(String.format("%nload average at the end: %s%n",
                Files.readString(Path.of("/proc/loadavg")).trim()));
        Path report = Path.of("target", "startup-benchmark.txt");
        Files.writeString(report, out);
        System.out.print(out);
    }

    private static long median(List<Sample> s, java.util.function.ToLongFunction<Sample> f) {
        return s.stream().mapToLong(f).sorted().skip(s.size() / 2).findFirst().orElseThrow();
    }

    private static long min(List<Sample> s, java.util.function.ToLongFunction<Sample> f) {
        return s.stream().mapToLong(f).min().orElseThrow();
    }

    private static long max(List<Sample> s, java.util.function.ToLongFunction<Sample> f) {
        return s.stream().mapToLong(f).max().orElseThrow();
    }
}
