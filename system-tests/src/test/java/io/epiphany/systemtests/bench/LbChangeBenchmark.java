package io.epiphany.systemtests.bench;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.systemtests.SystemAssumptions;
import io.epiphany.systemtests.fleet.FleetHost;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: one LB change on every host of the real-OS fleet (real OpenSSH 9.2 and real HAProxy in network
 * namespaces this run creates; no other traffic leaves the machine) against the OpenSSH floor, {@code ssh host
 * hostname} on every host in parallel, with the default key exchange and with {@code curve25519-sha256}. Variants run
 * interleaved (the order rotates every round), after one discarded warm-up round; each SDK run is a real change (the
 * config alternates between two renderings), checked on every host at the end. The Ansible row ({@link
 * AnsibleBaseline}) makes the same change with {@code ansible-playbook}, installing {@code ansible-core} with apt-get
 * first when it is missing. The SDK's new-JVM rows run {@link LbChangeRun} with the JVM's defaults and with the
 * {@code epiphany} launcher's flags (a class-data sharing archive recorded first, C1 only). A harness, not a gate: it
 * runs only with {@code -Depiphany.bench=true}, and writes {@code target/lb-change-benchmark.txt}.
 *
 * <p>Rerun: {@code sudo ./system-test -pl system-tests -am -Dtest=LbChangeBenchmark -Depiphany.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (options: {@code -Depiphany.bench.hosts=10,50,100},
 * {@code -Depiphany.bench.rounds=5}, {@code -Depiphany.bench.c1-thresholds=2,3}: more rows of the launcher's JVM
 * with those compile-threshold scalings, {@code -Depiphany.bench.jvm='-XX:+UseSerialGC;-Xss256k'}: more rows of the
 * launcher's JVM with those options added, {@code -Depiphany.bench.only=REGEX}: only the rows whose names match, and
 * the two plain floors, {@code -Depiphany.bench.jfr=DIR}: a JFR profile of each new JVM, which costs CPU of its own:
 * for finding where the time goes, not for the figures). Each row names the key exchange and host-key algorithm
 * negotiated (the SDK's from its sessions, OpenSSH's from one {@code ssh -v} outside the rounds).
 */
@EnabledIfSystemProperty(named = "epiphany.bench", matches = "true")
class LbChangeBenchmark {
    private static final Path FIGURES = Path.of("target", "lb-change-benchmark.txt");
    private static final java.time.Duration TIMEOUT = java.time.Duration.ofMinutes(5);
    private static final String ANSIBLE = "Ansible playbook: template + validate, reload handler";
    private static final String LAUNCHER = "SDK, new JVM, the launcher's flags (CDS, C1)";
    /** MINA's own default order, the SDK's before {@code SshSettings.keyExchange}: sntrup761 against OpenSSH 9.2. */
    private static final String MINA_DEFAULT_KEX = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,"
            + "mlkem768x25519-sha256,curve25519-sha256";

    /**
     * A run's time, what it did ({@code ops=... kex=...}) and the CPU the controller's processes used (the ssh clients,
     * or the SDK's JVM; bash's {@code times} of its children), -1 where not measured.
     */
    record Run(long ms, String detail, long cpuMs) {
        Run(long ms, String detail) {
            this(ms, detail, -1);
        }
    }

    /** Runs {@code command} under bash, which prints its children's CPU ({@code times}) last on stderr. */
    private static ProcessRun.Result timed(List<String> command) {
        List<String> line = new ArrayList<>(List.of("bash", "-c", "\"$@\"; s=$?; times >&2; exit $s", "bash"));
        line.addAll(command);
        return ProcessRun.run(TIMEOUT, line);
    }

    /** User + system CPU of the children, from the second line of bash's {@code times} ("0m1.234s 0m0.056s"). */
    static long childrenCpuMs(String stderr) {
        List<String> lines = stderr.lines().filter(l -> l.matches("\\d+m[\\d.]+s \\d+m[\\d.]+s")).toList();
        if (lines.size() < 2) {
            return -1;
        }
        long ms = 0;
        for (String t : lines.get(lines.size() - 1).split(" ")) {
            String[] parts = t.substring(0, t.length() - 1).split("m");
            ms += Math.round((Long.parseLong(parts[0]) * 60 + Double.parseDouble(parts[1])) * 1000);
        }
        return ms;
    }

    @Test
    void lbChangeAgainstTheOpenSshFloor(@TempDir Path dir) throws Exception {
        SystemAssumptions.assumeRealOsFleet();
        List<Integer> steps = Arrays.stream(System.getProperty("epiphany.bench.hosts", "10,50,100").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int rounds = Integer.getInteger("epiphany.bench.rounds", 5);
        int max = steps.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Files.deleteIfExists(FIGURES);
        try (RealOsFleet fleet = RealOsFleet.start(max)) {
            List<FleetHost> all = fleet.hosts();
            Cluster cluster = Cluster.builder().name("bench").masters(machines(all.subList(0, 3)))
                    .nodes(machines(all.subList(3, all.size()))).build();
            Path[] configs = {dir.resolve("a.cfg"), dir.resolve("b.cfg")};
            Files.writeString(configs[0], HaproxyConfig.render(cluster, cluster.masters()));
            Files.writeString(configs[1], HaproxyConfig.render(cluster, cluster.masters().subList(0, 2)));
            int[] current = {0};
            new Sdk(fleet, all, configs, current).startEverywhere();
            Optional<AnsibleBaseline> ansible = AnsibleBaseline.prepare(fleet, dir.resolve("ansible"));
            if (ansible.isPresent()) {
                ansible.get().syntaxCheck(all);
            }
            record("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load " + load()
                    + ", hosts " + steps + ", rounds " + rounds + " (+1 warm-up)");
            for (int n : steps) {
                List<FleetHost> hosts = all.subList(0, n);
                Sdk sdk = new Sdk(fleet, hosts, configs, current);
                Map<String, Measured> variants = new LinkedHashMap<>();
                variants.put("floor: ssh hostname, default kex", new Measured(() -> floor(fleet, hosts, null)));
                variants.put("floor: ssh hostname, curve25519-sha256",
                        new Measured(() -> floor(fleet, hosts, "curve25519-sha256")));
                variants.put("floor + work: ssh the same swap script (runtime API), curve25519",
                        new Measured(() -> sdk.opensshSwap("curve25519-sha256", true)));
                // the same change as a reload (the swap before the runtime API): this run's measure of what it saves
                variants.put("floor + work: ssh the swap script with a reload, curve25519",
                        new Measured(() -> sdk.opensshSwap("curve25519-sha256", false)));
                variants.put("SDK, new JVM, default kex", new Measured(() -> sdk.process("default")));
                variants.put("SDK, new JVM, MINA's default kex (sntrup761)",
                        new Measured(() -> sdk.process(MINA_DEFAULT_KEX)));
                // what ./epiphany runs against real machines: an archive of this program's classes, C1 only
                Sdk.Jvm launcher = sdk.launcher(Files.createDirectories(dir.resolve("launcher-" + n)));
                variants.put(LAUNCHER, new Measured(() -> sdk.process("default", launcher)));
                // which of the launcher's compiler flags pay at this size: its x5 thresholds, C1 alone
                Sdk.Jvm c1 = launcher.without("-XX:CompileThresholdScaling");
                variants.put("SDK, new JVM, CDS, C1, default thresholds",
                        new Measured(() -> sdk.process("default", c1)));
                // other C1 thresholds to compare, e.g. -Depiphany.bench.c1-thresholds=2,3
                for (String x : System.getProperty("epiphany.bench.c1-thresholds", "").split(",")) {
                    if (!x.isBlank()) {
                        Sdk.Jvm scaled = c1.with("-XX:CompileThresholdScaling=" + x.strip());
                        variants.put("SDK, new JVM, CDS, C1, thresholds x" + x.strip(),
                                new Measured(() -> sdk.process("default", scaled)));
                    }
                }
                Sdk.Jvm tiered = c1.without("-XX:TieredStopAtLevel");
                variants.put("SDK, new JVM, CDS, C1 and C2", new Measured(() -> sdk.process("default", tiered)));
                // more JVM options over the launcher's, e.g. -Depiphany.bench.jvm='-XX:+UseSerialGC;-Xss256k'
                for (String options : System.getProperty("epiphany.bench.jvm", "").split(";")) {
                    if (!options.isBlank()) {
                        Sdk.Jvm more = launcher;
                        for (String o : options.strip().split("\\s+")) {
                            more = more.with(o);
                        }
                        Sdk.Jvm jvm = more;
                        variants.put("SDK, new JVM, launcher's + " + options.strip(),
                                new Measured(() -> sdk.process("default", jvm)));
                    }
                }
                variants.put("SDK, in this JVM, default kex", new Measured(sdk::inJvm));
                ansible.ifPresent(a -> variants.put(ANSIBLE, new Measured(() -> new Run(a.change(hosts, sdk.next()),
                        "Ansible: new ansible-playbook process, forks=" + n + ", OpenSSH default kex"))));
                // only the rows whose names match, e.g. -Depiphany.bench.only='curve25519|launcher' (the first two
                // floors stay: the ratios are against them)
                String only = System.getProperty("epiphany.bench.only", "");
                if (!only.isBlank()) {
                    java.util.regex.Pattern keep = java.util.regex.Pattern.compile(only);
                    List<String> floors = new ArrayList<>(variants.keySet()).subList(0, 2);
                    variants.keySet().removeIf(k -> !floors.contains(k) && !keep.matcher(k).find());
                }
                List<String> names = new ArrayList<>(variants.keySet());
                for (int r = 0; r <= rounds; r++) {
                    for (int i = 0; i < names.size(); i++) {
                        Measured m = variants.get(names.get((i + r) % names.size()));
                        Run run = m.action.run();
                        if (r > 0) {
                            m.add(run);
                        }
                    }
                }
                sdk.checkEverywhere();
                long floorDefault = variants.get(names.get(0)).median();
                long floorCurve = variants.get(names.get(1)).median();
                record("N=" + n + " (load " + load() + ")");
                for (Map.Entry<String, Measured> e : variants.entrySet()) {
                    Measured m = e.getValue();
                    record(String.format(Locale.ROOT, "  %-46s median %6d ms  min-max %d-%d  %.2fx floor(default)"
                            + "  %.2fx floor(curve25519)  %s  all=%s%s", e.getKey(), m.median(), m.min(), m.max(),
                            (double) m.median() / floorDefault, (double) m.median() / floorCurve, m.detail(n),
                            m.all(), m.cpu(n)));
                }
                if (variants.containsKey(ANSIBLE)) {
                    long a = variants.get(ANSIBLE).median();
                    for (String sdkRow : variants.keySet().stream().filter(k -> k.startsWith("SDK")).toList()) {
                        long s = variants.get(sdkRow).median();
                        record(String.format(Locale.ROOT, "  %s / Ansible: %.3f (Ansible takes %.1fx as long)", sdkRow,
                                (double) s / a, (double) a / s));
                    }
                }
            }
        }
    }

    private static List<Machine> machines(List<FleetHost> hosts) {
        return hosts.stream().map(h -> Machine.of(h.hostname(), h.ip())).toList();
    }

    /** {@code ssh ... root@IP hostname} on every host at once: one new OpenSSH connection and one exec per host. */
    private static Run floor(RealOsFleet fleet, List<FleetHost> hosts, String kex) throws Exception {
        return openssh(fleet, hosts, kex, "hostname", null, l -> true);
    }

    /**
     * {@code ssh ... root@IP <remote>} on every host at once (background jobs of one shell, then {@code wait}),
     * stdin from {@code stdin} when given; one line of stdout per host must match {@code expected}.
     */
    static Run openssh(RealOsFleet fleet, List<FleetHost> hosts, String kex, String remote, Path stdin,
            java.util.function.Predicate<String> expected) throws Exception {
        Path ips = Files.createTempFile("lb-bench-ips", ".txt");
        try {
            Files.write(ips, hosts.stream().map(FleetHost::ip).toList());
            String ssh = ssh(fleet, kex) + " \"root@$ip\" " + io.epiphany.api.remote.Shell.quote(remote)
                    + " < " + (stdin == null ? "/dev/null" : stdin.toString());
            long start = System.nanoTime();
            ProcessRun.Result result = timed(List.of("sh", "-c", "while read -r ip; do " + ssh + " & done < " + ips
                    + "; wait")).orThrow();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String out = result.stdout();
            long lines = out.lines().filter(l -> !l.isBlank() && !l.startsWith("Configuration file is valid"))
                    .filter(expected).count();
            if (lines != hosts.size()) {
                throw new IllegalStateException("ssh: " + lines + " expected lines of " + hosts.size() + ": " + out);
            }
            String negotiated = NEGOTIATED_BY_OPENSSH.computeIfAbsent(kex == null ? "" : kex,
                    k -> negotiatedByOpenssh(fleet, kex, hosts.get(0)));
            return new Run(ms, "ops=" + hosts.size() + " " + negotiated, childrenCpuMs(result.stderr()));
        } finally {
            Files.deleteIfExists(ips);
        }
    }

    /** OpenSSH's client as the floor runs it, up to the destination: strict host keys, the fleet's key. */
    private static String ssh(RealOsFleet fleet, String kex) {
        return "ssh -F /dev/null -i " + fleet.privateKey() + " -o BatchMode=yes -o StrictHostKeyChecking=yes"
                + " -o UserKnownHostsFile=" + fleet.knownHosts() + (kex == null ? "" : " -o KexAlgorithms=" + kex);
    }

    /** What the floor's ssh negotiates, per KexAlgorithms option: the same in every round, so asked once. */
    private static final Map<String, String> NEGOTIATED_BY_OPENSSH = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code kex=<exchange> hostkey=<algorithm>} as OpenSSH's client reports them with {@code -v} ("kex: algorithm:",
     * "kex: host key algorithm:") for one {@code hostname} on {@code host}, outside the timed rounds.
     */
    private static String negotiatedByOpenssh(RealOsFleet fleet, String kex, FleetHost host) {
        String debug = ProcessRun.run(TIMEOUT, List.of("sh", "-c", ssh(fleet, kex).replaceFirst("^ssh ", "ssh -v ")
                + " root@" + host.ip() + " hostname < /dev/null")).stderr();
        return "kex=" + debug.replaceAll("(?s).*kex: algorithm: (\\S+).*", "$1").strip() + " hostkey="
                + debug.replaceAll("(?s).*kex: host key algorithm: (\\S+).*", "$1").strip();
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static void record(String line) throws java.io.IOException {
        System.out.println("[lb-change] " + line);
        Files.createDirectories(FIGURES.getParent());
        Files.writeString(FIGURES, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** One variant's rounds. */
    private static final class Measured {
        interface Action {
            Run run() throws Exception;
        }

        final Action action;
        final List<Run> runs = new ArrayList<>();

        Measured(Action action) {
            this.action = action;
        }

        void add(Run r) {
            runs.add(r);
        }

        long[] sorted() {
            return runs.stream().mapToLong(Run::ms).sorted().toArray();
        }

        long median() {
            long[] s = sorted();
            return s[s.length / 2];
        }

        long min() {
            return sorted()[0];
        }

        long max() {
            long[] s = sorted();
            return s[s.length - 1];
        }

        String all() {
            return runs.stream().map(r -> Long.toString(r.ms())).toList().toString();
        }

        /** The controller's CPU (median), total and per host, where measured. */
        String cpu(int hosts) {
            List<Long> cpu = runs.stream().map(Run::cpuMs).filter(c -> c >= 0).sorted().toList();
            if (cpu.isEmpty()) {
                return "";
            }
            long median = cpu.get(cpu.size() / 2);
            return String.format(Locale.ROOT, "  controller CPU median %d ms (%.1f ms/host)", median,
                    (double) median / hosts);
        }

        /** Operations per host and the negotiated exchanges, from the last run; warm changes' median if any. */
        String detail(int hosts) {
            String d = runs.get(runs.size() - 1).detail();
            if (!d.contains("ops=")) {
                return d;
            }
            String warm = d.startsWith("warm=") ? String.format(Locale.ROOT, ", then on the same sessions: median"
                    + " %d ms %s", median(runs.stream().map(r -> Long.parseLong(r.detail().replaceAll(
                    "^warm=(\\d+) .*", "$1"))).toList()), runs.stream().map(r -> r.detail().replaceAll(
                    "^warm=(\\d+) .*", "$1")).toList()) : "";
            String ops = d.replaceAll(".*ops=(\\d+).*", "$1");
            return String.format(Locale.ROOT, "%.1f ops/host, kex %s, host key %s", Double.parseDouble(ops) / hosts,
                    d.replaceAll(".*kex=(\\S*).*", "$1"), d.replaceAll(".*hostkey=(\\S*).*", "$1")) + warm;
        }

        private static long median(List<Long> values) {
            return values.stream().sorted().toList().get(values.size() / 2);
        }
    }

    /** The SDK side: a change on every host, alternating between the two configs. */
    private record Sdk(RealOsFleet fleet, List<FleetHost> hosts, Path[] configs, int[] current) {
        List<String> ips() {
            return hosts.stream().map(FleetHost::ip).toList();
        }

        /** HAProxy started with config A on every host (the fleet's systemctl shim starts the real one). */
        void startEverywhere() throws Exception {
            String config = Files.readString(configs[0]);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try (var access = io.epiphany.api.remote.RemoteAccess.load()) {
                var ssh = fleet.sshSettings().toBuilder().user("root").build();
                List<java.util.concurrent.Future<Boolean>> done = new ArrayList<>();
                for (FleetHost h : hosts) {
                    done.add(pool.submit(() -> new io.epiphany.haproxy.HaproxyService(access.host(
                            Machine.of(h.hostname(), h.ip()), ssh)).configure(config, false)));
                }
                for (var f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            current[0] = 0;
        }

        private Path next() {
            current[0] = 1 - current[0];
            return configs[current[0]];
        }

        /**
         * The SDK's swap script and content, sent with OpenSSH the way the SDK sends it (line first on stdin): through
         * the runtime API as {@code configure(config, live)} does, or with the reload of {@code configure(config,
         * true)}.
         */
        Run opensshSwap(String kex, boolean runtime) throws Exception {
            String live = Files.readString(configs[current[0]]);
            String config = Files.readString(next());
            var command = runtime ? io.epiphany.haproxy.HaproxyService.configureCommand(config, live)
                    : io.epiphany.haproxy.HaproxyService.configureCommand(config, true);
            byte[] line = command.line().getBytes(StandardCharsets.UTF_8);
            Path payload = Files.createTempFile("lb-bench-swap", ".bin");
            try {
                Files.write(payload, line);
                Files.write(payload, command.stdin().orElseThrow(), StandardOpenOption.APPEND);
                return openssh(fleet, hosts, kex, "sh -c \"$(head -c " + line.length + ")\"", payload,
                        l -> l.equals("epiphany-haproxy-swap: changed" + (runtime ? " runtime" : "")));
            } finally {
                Files.deleteIfExists(payload);
            }
        }

        Run process(String kex) throws Exception {
            return process(kex, new Jvm(List.of(), testClassPath()));
        }

        /** This test JVM's class path, which the new JVMs run LbChangeRun from. */
        private static String testClassPath() {
            return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        }

        /** A new JVM's options and class path. */
        record Jvm(List<String> flags, String classPath) {
            /** These options without the flag named {@code name} ({@code -XX:Name}, any value). */
            Jvm without(String name) {
                return new Jvm(flags.stream().filter(f -> !f.startsWith(name + "=")).toList(), classPath);
            }

            Jvm with(String flag) {
                List<String> more = new ArrayList<>(flags);
                more.add(flag);
                return new Jvm(more, classPath);
            }
        }

        /**
         * The JVM of the {@code epiphany} launcher without {@code --simulated}: a class-data sharing archive (recorded
         * now by one change, as the launcher records its own once per build), C1 only, compile thresholds x5, a
         * 64 MiB young generation. The archive takes classes from jars only, so the class path's directories (this
         * module's classes) go into jars in {@code dir} first, as they are in the CLI's own jar.
         */
        Jvm launcher(Path dir) throws Exception {
            List<String> entries = new ArrayList<>();
            for (String e : testClassPath().split(java.io.File.pathSeparator)) {
                Path p = Path.of(e);
                entries.add(Files.isDirectory(p) ? jar(p, dir.resolve("cp-" + entries.size() + ".jar")).toString() : e);
            }
            String cp = String.join(java.io.File.pathSeparator, entries);
            List<String> flags = List.of("-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=5",
                    "-XX:NewSize=64m");
            Path archive = dir.resolve("lb-change.jsa");
            List<String> recording = new ArrayList<>(List.of("-Xlog:disable", "-XX:ArchiveClassesAtExit=" + archive));
            recording.addAll(flags);
            process("default", new Jvm(recording, cp));
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("the JVM recorded no class-data sharing archive at " + archive);
            }
            List<String> out = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive));
            out.addAll(flags);
            return new Jvm(out, cp);
        }

        private static Path jar(Path classes, Path jar) throws java.io.IOException {
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                    var files = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            return jar;
        }

        Run process(String kex, Jvm jvm) throws Exception {
            Path live = configs[current[0]];
            Path config = next();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> line = new ArrayList<>(List.of(java));
            line.addAll(jvm.flags());
            String jfr = System.getProperty("epiphany.bench.jfr"); // a directory: each new JVM records a profile there
            if (jfr != null) {
                line.add("-XX:StartFlightRecording=settings=profile,filename=" + Files.createDirectories(Path.of(jfr))
                        .resolve("lb-change-" + System.nanoTime() + ".jfr"));
            }
            line.addAll(List.of("-cp", jvm.classPath(), LbChangeRun.class.getName(), "root",
                    fleet.privateKey().toString(), fleet.knownHosts().toString(), config.toString(), live.toString(),
                    kex));
            line.addAll(ips());
            long start = System.nanoTime();
            ProcessRun.Result result = timed(line).orThrow();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String out = result.stdout();
            return new Run(ms, out.lines().filter(l -> l.startsWith("ops=")).reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("no result line: " + out)),
                    childrenCpuMs(result.stderr()));
        }

        /** A change with a new RemoteAccess (timed), then one more on the same sessions (its time in the detail). */
        Run inJvm() throws Exception {
            String live = Files.readString(configs[current[0]]);
            List<String> twice = List.of(Files.readString(next()), Files.readString(next()));
            long start = System.nanoTime();
            String result = LbChangeRun.change("root", fleet.privateKey(), fleet.knownHosts(), live, twice,
                    Optional.empty(), ips());
            start += TimeUnit.MILLISECONDS.toNanos(Long.parseLong(result.replaceAll("^warm=(\\d+) .*", "$1")));
            return new Run(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), result);
        }

        /** Every host has the config of the last change, and HAProxy runs. */
        void checkEverywhere() throws Exception {
            String expected = Files.readString(configs[current[0]]);
            for (FleetHost h : hosts) {
                String live = fleet.exec(h.hostname(), "cat", "/etc/haproxy/haproxy.cfg").orThrow().stdout();
                if (!live.equals(expected)) {
                    throw new IllegalStateException(h.hostname() + " has another haproxy.cfg than the last change");
                }
                fleet.exec(h.hostname(), "systemctl", "is-active", "haproxy").orThrow();
                // the running HAProxy serves the file's masters (the runtime API changed it without a reload)
                java.util.Set<String> running = new java.util.TreeSet<>(fleet.exec(h.hostname(), "sh", "-c",
                        "echo 'show stat' | socat stdio UNIX-CONNECT:/run/haproxy-admin.sock").orThrow().stdout()
                        .lines().filter(l -> l.startsWith("kube-apiserver,") && !l.contains(",BACKEND,")
                                && !l.contains(",FRONTEND,"))
                        .map(l -> l.split(",")[1]).toList());
                java.util.Set<String> inFile = new java.util.TreeSet<>(expected.lines().map(String::strip)
                        .filter(l -> l.startsWith("server ")).map(l -> l.split("\\s+")[1]).toList());
                if (!running.equals(inFile)) {
                    throw new IllegalStateException(h.hostname() + "'s HAProxy runs " + running + ", its file says "
                            + inFile);
                }
            }
        }
    }
}
