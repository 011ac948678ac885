package io.epiphany.systemtests.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real-OS fleet on this machine, driven through {@code system-tests/fleet/fleet.sh} (as root): each host a network,
 * UTS, PID and private mount namespace with real OpenSSH sshd, real HAProxy behind a SIMULATED {@code systemctl} shim,
 * and on request an apiserver stand-in and real etcd. Closing it tears everything down; so does a JVM shutdown, and
 * the next {@link #start} clears a fleet a crashed run left behind.
 *
 * <pre>{@code try (RealOsFleet fleet = RealOsFleet.start(List.of("master1", "master2", "node1"))) { ... }}</pre>
 */
public final class RealOsFleet implements AutoCloseable {
    private static final String CRICTL = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock";
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private static final int SLOTS = 9;
    private static final String SIMULATOR_MAIN = "io.epiphany.testkit.sim.SimulatorMain";

    private final Path script;
    private final Slot slot;
    private final Path stateDir;
    private final Map<String, FleetHost> hosts;
    private final Thread shutdownHook;
    private boolean closed;

    /** A fleet name and its own /16 (10.OCTET.0.0/16), so that test runs on one machine do not collide. */
    public record Slot(String name, int octet) {
        Map<String, String> environment() {
            return Map.of("EPIPHANY_FLEET_NAME", name, "EPIPHANY_FLEET_OCTET", Integer.toString(octet));
        }

        /** The first free slot: {@code epf}/10.201 unless a live test run owns it, then {@code ep2}/10.202, ... */
        public static Slot free() {
            String fixed = System.getenv("EPIPHANY_FLEET_NAME");
            if (fixed != null && !fixed.isBlank()) {
                String octet = System.getenv("EPIPHANY_FLEET_OCTET");
                return new Slot(fixed, octet == null || octet.isBlank() ? 201 : Integer.parseInt(octet));
            }
            for (int i = 0; i < SLOTS; i++) {
                Slot slot = new Slot(i == 0 ? "epf" : "ep" + (i + 1), 201 + i);
                if (!slot.ownedByALiveProcess()) {
                    return slot;
                }
            }
            throw new IllegalStateException("all " + SLOTS + " fleet slots (epf, ep2..ep9) are owned by live test "
                    + "runs; wait for them or run 'fleet.sh down' with EPIPHANY_FLEET_NAME set");
        }

        private boolean ownedByALiveProcess() {
            try {
                long owner = Long.parseLong(Files.readString(Path.of("/run/epiphany-fleet", name, "owner.pid")).strip());
                return owner != ProcessHandle.current().pid() && ProcessHandle.of(owner).map(ProcessHandle::isAlive)
                        .orElse(false);
            } catch (java.io.IOException | NumberFormatException noOwner) {
                return false;
            }
        }
    }

    private RealOsFleet(Path script, Slot slot, Map<String, FleetHost> hosts) {
        this.script = script;
        this.slot = slot;
        this.stateDir = Path.of("/run/epiphany-fleet", slot.name());
        this.hosts = hosts;
        this.shutdownHook = new Thread(this::down, "real-os-fleet-teardown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts hosts named {@code host-1} … {@code host-N}. */
    public static RealOsFleet start(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            names.add("host-" + i);
        }
        return start(names);
    }

    /** Starts one host per hostname, in order (addresses 10.OCTET.0.2, .3, … in a free {@link Slot}). */
    public static RealOsFleet start(List<String> hostnames) {
        return start(hostnames, Optional.empty());
    }

    /**
     * Like {@link #start(List)}, and every host also gets SIMULATED {@code kubeadm}, {@code kubelet}, {@code kubectl}
     * (the testkit's {@code SimulatorMain} in real-OS mode: it routes through the host's real HAProxy
     * and starts the apiserver stand-in when its kubelet starts a control plane) and a placeholder {@code containerd}.
     */
    public static RealOsFleet startWithSimulatedKubernetes(List<String> hostnames) {
        return startWithSimulatedKubernetes(hostnames, Map.of());
    }

    /**
     * Like {@link #startWithSimulatedKubernetes(List)}, with system properties for the simulation on every host
     * ({@code epiphany.sim.bare=true}: bare machines, swap on, nothing installed; {@code epiphany.sim.os-id},
     * {@code epiphany.sim.os-version}, {@code epiphany.sim.cgroup-v1}). The host preparation programs (swapon,
     * swapoff, modprobe, lsmod, sysctl, apt-get, apt-mark, dnf, containerd, downloads by curl, the cgroup check) are
     * SIMULATED on every such host; the real ones are blocked inside the hosts.
     */
    public static RealOsFleet startWithSimulatedKubernetes(List<String> hostnames, Map<String, String> simProperties) {
        return start(hostnames, Optional.of(SIMULATOR_MAIN), simProperties);
    }

    private static RealOsFleet start(List<String> hostnames, Optional<String> simMain) {
        return start(hostnames, simMain, Map.of());
    }

    private static RealOsFleet start(List<String> hostnames, Optional<String> simMain, Map<String, String> simProperties) {
        Path script = script();
        Slot slot = Slot.free();
        List<String> command = new ArrayList<>(List.of(script.toString(), "up", Integer.toString(hostnames.size()),
                "--hostnames", String.join(",", hostnames),
                "--java-classpath", testClasspath(),
                "--owner-pid", Long.toString(ProcessHandle.current().pid())));
        simMain.ifPresent(main -> command.addAll(List.of("--sim-main", main)));
        new java.util.TreeMap<>(simProperties).forEach((k, v) -> command.addAll(List.of("--sim-property", k + "=" + v)));
        ProcessRun.Result result;
        try {
            result = ProcessRun.run(UP_TIMEOUT, slot.environment(), command);
        } catch (RuntimeException e) {
            ProcessRun.run(COMMAND_TIMEOUT, slot.environment(), List.of(script.toString(), "down"));
            throw e;
        }
        if (!result.ok()) {
            ProcessRun.run(COMMAND_TIMEOUT, slot.environment(), List.of(script.toString(), "down"));
            result.orThrow();
        }
        Map<String, FleetHost> hosts = new LinkedHashMap<>();
        for (String line : result.stdout().split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length == 3) {
                hosts.put(fields[1], new FleetHost(fields[1], fields[2]));
            }
        }
        if (hosts.size() != hostnames.size()) {
            ProcessRun.run(COMMAND_TIMEOUT, slot.environment(), List.of(script.toString(), "down"));
            throw new IllegalStateException("fleet.sh up reported " + hosts.size() + " hosts, expected "
                    + hostnames.size() + ": " + result.stdout() + result.stderr());
        }
        return new RealOsFleet(script, slot, hosts);
    }

    /** The fleet script: {@code -Depiphany.fleet.script=...}, else {@code fleet/fleet.sh} of the system-tests module. */
    public static Path script() {
        Optional<String> configured = Optional.ofNullable(System.getProperty("epiphany.fleet.script"));
        Path script = configured.map(Path::of).orElseGet(() -> {
            Path inModule = Path.of("fleet", "fleet.sh");
            return Files.exists(inModule) ? inModule : Path.of("system-tests", "fleet", "fleet.sh");
        }).toAbsolutePath();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("fleet script " + script + " is missing or not executable; set "
                    + "-Depiphany.fleet.script to system-tests/fleet/fleet.sh");
        }
        return script;
    }

    /** The real class path: under surefire, java.class.path is only a manifest jar that another JVM cannot use. */
    private static String testClasspath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** The fleet's name and address range: its namespaces are {@code NAME-hN}, its bridge {@code NAMEbr0}. */
    public Slot slot() {
        return slot;
    }

    public List<FleetHost> hosts() {
        return List.copyOf(hosts.values());
    }

    public FleetHost host(String hostname) {
        FleetHost host = hosts.get(hostname);
        if (host == null) {
            throw new IllegalArgumentException("no host '" + hostname + "' in the fleet; hosts: " + hosts.keySet());
        }
        return host;
    }

    /** The private key (ECDSA P-256, 0600) authorised for {@code root} and {@link #sshUser()} on every host. */
    public Path privateKey() {
        return stateDir.resolve("id_ecdsa");
    }

    /** known_hosts with every host's ed25519 and ECDSA host keys, by IP: for strict host-key checking. */
    public Path knownHosts() {
        return stateDir.resolve("known_hosts");
    }

    /**
     * How the SDK logs in to the fleet: {@link #sshUser()} with {@link #privateKey()}, host keys checked strictly
     * against {@link #knownHosts()}, and a closed network of the fleet's own namespaces (every host's address, port
     * 22): a connection to any other address fails before a socket opens, so a test never reaches beyond the
     * namespaces it created (issue 15).
     */
    public io.epiphany.api.SshSettings sshSettings() {
        Map<String, String> book = new LinkedHashMap<>();
        hosts.values().forEach(h -> book.put(h.ip(), h.ip() + ":22"));
        return io.epiphany.api.SshSettings.builder().user(sshUser()).privateKey(privateKey()).knownHosts(knownHosts())
                .hostKeyPolicy(io.epiphany.api.HostKeyPolicy.STRICT).useSshConfig(false).useAgent(false)
                .addressBook(book).closedNetwork("the real-OS fleet's closed network (" + slot.name() + ")").build();
    }

    /** A non-root login user on every host, with passwordless {@code sudo}. */
    public String sshUser() {
        return "epiphany";
    }

    /** Runs a command inside a host (all its namespaces) as root, bypassing SSH: for test set-up and inspection. */
    public ProcessRun.Result exec(String hostname, String... command) {
        return exec(COMMAND_TIMEOUT, hostname, command);
    }

    public ProcessRun.Result exec(Duration timeout, String hostname, String... command) {
        host(hostname);
        List<String> line = new ArrayList<>(List.of(script.toString(), "exec", hostname, "--"));
        line.addAll(List.of(command));
        return ProcessRun.run(timeout, slot.environment(), line);
    }

    /** Starts a process inside a host without waiting for it (its output is for the caller to read). */
    public Process spawn(String hostname, String... command) throws java.io.IOException {
        host(hostname);
        List<String> line = new ArrayList<>(List.of(script.toString(), "exec", hostname, "--"));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(slot.environment());
        return builder.start();
    }

    /** Starts the apiserver stand-in (TLS, {@code /readyz}) on the host's :6443 and waits until it answers. */
    public void startApiserver(String hostname) {
        fleet("apiserver", "start", hostname);
    }

    /** Kills the host's apiserver stand-in (SIGKILL: like a crashed apiserver, the port closes at once). */
    public void stopApiserver(String hostname) {
        fleet("apiserver", "stop", hostname);
    }

    /** Starts a single-member real etcd on the host's :2379 (plain HTTP, for tests that need real etcd). */
    public void startEtcd(String hostname) {
        fleet("etcd", "start", hostname);
    }

    /**
     * Runs the REAL etcdctl "inside the host's etcd container", as on a kubeadm host (which has no etcdctl binary):
     * {@code crictl exec <running etcd> etcdctl ARGS} through the fleet's crictl shim. Fails (exit 1, crictl's
     * NotFound) when no etcd runs on the host.
     */
    public ProcessRun.Result etcdctl(String hostname, String... args) {
        List<String> line = new ArrayList<>(List.of("sh", "-c", "id=$(" + CRICTL + " ps --name etcd --state running -q)"
                + " && exec " + CRICTL + " exec \"$id\" etcdctl \"$@\"", "etcdctl"));
        line.addAll(List.of(args));
        return exec(hostname, line.toArray(String[]::new));
    }

    /** Stops the host's REAL etcd member process (the etcd "container"), leaving everything else running. */
    public void stopEtcdMember(String hostname) {
        exec(hostname, "/usr/local/sbin/epiphany-etcd", "stop").orThrow();
    }

    /** The fleet's test CA certificate, which issued the apiserver stand-ins' certificates. */
    public Path testCaCertificate() {
        return stateDir.resolve("ca/ca.crt");
    }

    private void fleet(String... args) {
        List<String> line = new ArrayList<>(List.of(script.toString()));
        line.addAll(List.of(args));
        ProcessRun.run(COMMAND_TIMEOUT, slot.environment(), line).orThrow();
    }

    /** Tears the fleet down: every process, namespace, veth and the bridge. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        down();
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    private void down() {
        ProcessRun.run(COMMAND_TIMEOUT, slot.environment(), List.of(script.toString(), "down")).orThrow();
    }
}
