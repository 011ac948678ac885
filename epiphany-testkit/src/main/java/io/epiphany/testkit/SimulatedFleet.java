package io.epiphany.testkit;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.testkit.sim.MemoryStateStore;
import io.epiphany.testkit.sim.SimulatedOs;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.StateStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * A SIMULATED fleet: one in-process SSH server per machine on 127.0.0.1, each with its own host key and file tree,
 * running a simulated OS and sharing one simulated kubeadm cluster. The SDK reaches it through its normal SSH client
 * with strict host-key checking: {@link #sshSettings()} carries the fleet's client key and a known_hosts file with
 * every host's key. Close it to stop the servers and delete the files.
 *
 * <pre>{@code
 * try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")))) {
 *     SimulatedHost m1 = fleet.host("m1");   // m1.sshPort(), m1.commandCount(), m1.faults().diskFull(true)
 * }
 * }</pre>
 */
public final class SimulatedFleet implements AutoCloseable {
    private final Path directory;
    private final FleetIo io;
    private final StateStore store;
    private final Map<String, SimulatedHost> hosts;
    private final List<Machine> machines;
    private final SshSettings sshSettings;
    private final Cluster cluster;

    private SimulatedFleet(Path directory, FleetIo io, StateStore store, Map<String, SimulatedHost> hosts,
            List<Machine> machines, SshSettings sshSettings, Cluster cluster) {
        this.cluster = cluster == null ? null : pointAt(cluster, machines, sshSettings);
        this.directory = directory;
        this.io = io;
        this.store = store;
        this.hosts = hosts;
        this.machines = machines;
        this.sshSettings = sshSettings;
    }

    /**
     * How the simulated machines look: login user, OS family, installed kubeadm version, and the etcd version of
     * the static pod kubeadm deploys (which decides etcdctl's ID format, see {@link #withEtcdVersion}).
     */
    public record Options(String sshUser, String os, String kubeadmVersion, String etcdVersion) {
        public Options {
            if (etcdVersion == null || !etcdVersion.matches("3\\.[4-6]\\.\\d{1,3}")) {
                throw new IllegalArgumentException("etcdVersion must be 3.4.x, 3.5.x or 3.6.x, was " + etcdVersion);
            }
        }

        public static Options defaults() {
            return new Options("root", "debian", "v1.37.0", "3.5.21");
        }

        /** A non-root login user: root commands then need {@code sudo}, as on a real machine. */
        public Options withSshUser(String user) {
            return new Options(user, os, kubeadmVersion, etcdVersion);
        }

        /** "debian" (apt-get; haproxy starts on install) or "rhel" (dnf; it does not). */
        public Options withOs(String family) {
            if (!family.equals("debian") && !family.equals("rhel")) {
                throw new IllegalArgumentException("os must be debian or rhel, was " + family);
            }
            return new Options(sshUser, family, kubeadmVersion, etcdVersion);
        }

        public Options withKubeadmVersion(String version) {
            return new Options(sshUser, os, version, etcdVersion);
        }

        /**
         * The etcd of the static pods, e.g. "3.4.30", "3.5.21", "3.6.4". etcdctl 3.4 prints IDs in JSON as decimal
         * numbers even with {@code --hex}; 3.5 and 3.6 print them as hex strings with it (etcd PR #11812).
         */
        public Options withEtcdVersion(String version) {
            return new Options(sshUser, os, kubeadmVersion, version);
        }
    }

    /** Starts one simulated host per machine, with default {@link Options}. */
    public static SimulatedFleet start(List<Machine> machines) {
        return start(machines, Options.defaults());
    }

    /**
     * Starts one simulated host per machine.
     *
     * @throws IllegalArgumentException when two machines share a hostname or an IP
     * @throws UncheckedIOException when a server cannot start
     */
    public static SimulatedFleet start(List<Machine> machines, Options options) {
        return start(machines, options, SshSettings.defaults(), null);
    }

    /**
     * Starts one simulated host per machine of the cluster (masters and nodes), logging in as the cluster's SSH user.
     * {@link #cluster()} is then that cluster pointed at the simulated hosts.
     */
    public static SimulatedFleet start(Cluster cluster) {
        return start(cluster, Options.defaults().withSshUser(cluster.ssh().user()));
    }

    /** As {@link #start(Cluster)}, with options for the simulated machines. */
    public static SimulatedFleet start(Cluster cluster, Options options) {
        return start(cluster.machines(), options, cluster.ssh(), cluster);
    }

    private static SimulatedFleet start(List<Machine> machines, Options options, SshSettings base, Cluster cluster) {
        checkUnique(machines);
        Path dir = null;
        FleetIo io = new FleetIo();
        Map<String, SimulatedHost> hosts = new LinkedHashMap<>();
        try {
            dir = Files.createTempDirectory("epiphany-sim-fleet-");
            KeyPair client = ecKey();
            Path privateKey = dir.resolve("id_ecdsa");
            try (OutputStream out = Files.newOutputStream(privateKey)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "epiphany-simulated-fleet", null, out);
            }
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
            StateStore store = new MemoryStateStore();
            SimulatedOs os = new SimulatedOs();
            StringBuilder knownHosts = new StringBuilder();
            List<Machine> connectable = new ArrayList<>();
            for (Machine m : machines) {
                register(store, m, options);
                SimulatedHost host = new SimulatedHost(m.hostname(), m.ip(), dir.resolve("hosts").resolve(m.hostname()),
                        store, ecKey(), client.getPublic(), io, os);
                Files.createDirectories(host.root().resolve("root"));
                Files.createDirectories(host.root().resolve("tmp"));
                hosts.put(m.hostname(), host);
                host.start();
                String key = PublicKeyEntry.toString(host.hostKey());
                // the connect address, and the modelled IP for a client that matches known_hosts by the machine's ip
                knownHosts.append("[127.0.0.1]:").append(host.sshPort()).append(' ').append(key).append('\n');
                knownHosts.append('[').append(m.ip()).append("]:").append(host.sshPort()).append(' ').append(key)
                        .append('\n');
                connectable.add(m.toBuilder().sshAddress("127.0.0.1").sshPort(host.sshPort())
                        .hostKeyFingerprint(java.util.Optional.empty()).build());
            }
            Path knownHostsFile = dir.resolve("known_hosts");
            Files.writeString(knownHostsFile, knownHosts, StandardCharsets.UTF_8);
            SshSettings ssh = base.toBuilder().user(options.sshUser()).privateKey(privateKey)
                    .privateKeyPassphrase(java.util.Optional.empty()).knownHosts(knownHostsFile)
                    .hostKeyPolicy(HostKeyPolicy.STRICT).jumpHosts(List.of()).useSshConfig(false).useAgent(false)
                    .build();
            return new SimulatedFleet(dir, io, store, hosts, List.copyOf(connectable), ssh, cluster);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            for (SimulatedHost h : hosts.values()) {
                closeQuietly(h);
            }
            io.close();
            deleteTree(dir);
            throw e instanceof RuntimeException re ? re
                    : new UncheckedIOException("the simulated fleet could not start: " + e.getMessage(),
                            e instanceof IOException ioe ? ioe : new IOException(e));
        }
    }

    private static void register(StateStore store, Machine m, Options options) {
        store.update(s -> {
            s.etcdVersion = options.etcdVersion();
            SimulationState.Host h = new SimulationState.Host();
            h.ip = m.ip();
            h.os = options.os();
            h.kubeadmVersion = options.kubeadmVersion();
            h.binaries.addAll(SimulatedOs.baseBinaries());
            h.binaries.add(options.os().equals("debian") ? "apt-get" : "dnf");
            h.active.add("containerd");
            h.enabled.add("containerd");
            s.hosts.put(m.hostname(), h);
            return null;
        });
    }

    /**
     * The machines with their SSH port set to their simulated host's port and the fleet's login user. Their
     * {@code ip} stays the modelled one; the SSH server listens on 127.0.0.1.
     */
    public List<Machine> machines() {
        return machines;
    }

    /**
     * The cluster the fleet was started from, with each machine's SSH connection ({@code sshAddress} 127.0.0.1,
     * {@code sshPort}) pointing at its simulated host and the SSH settings of {@link #sshSettings()}. The machines'
     * {@code ip} stay the modelled ones, which the rendered configs use.
     *
     * @throws IllegalStateException when the fleet was started from a list of machines
     */
    public Cluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("this fleet was started from machines, not a Cluster: use "
                    + "SimulatedFleet.start(cluster) to get cluster()");
        }
        return cluster;
    }

    private static Cluster pointAt(Cluster cluster, List<Machine> connectable, SshSettings ssh) {
        Map<String, Machine> byName = new LinkedHashMap<>();
        connectable.forEach(m -> byName.put(m.hostname(), m));
        return cluster.toBuilder()
                .masters(cluster.masters().stream().map(m -> byName.get(m.hostname())).toList())
                .nodes(cluster.nodes().stream().map(m -> byName.get(m.hostname())).toList())
                .ssh(ssh)
                .build();
    }

    /** SSH settings for the fleet: its client key, a known_hosts file with every host's key, strict checking. */
    public SshSettings sshSettings() {
        return sshSettings;
    }

    /** The private key (OpenSSH format, 0600) every host accepts. */
    public Path privateKey() {
        return sshSettings.privateKey().orElseThrow();
    }

    public Path knownHosts() {
        return sshSettings.knownHosts();
    }

    /**
     * The host of a machine.
     *
     * @throws NoSuchElementException naming the known hostnames
     */
    public SimulatedHost host(String hostname) {
        SimulatedHost h = hosts.get(hostname);
        if (h == null) {
            throw new NoSuchElementException("no simulated host '" + hostname + "'; the fleet has " + hosts.keySet());
        }
        return h;
    }

    public List<SimulatedHost> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Moves the simulated clock forward (bootstrap tokens expire, {@code date +%s} moves) without waiting. */
    public void advanceClock(Duration by) {
        store.update(s -> {
            s.clockOffsetSeconds += by.getSeconds();
            return null;
        });
    }

    /**
     * The fleet's clock as a controller would see it after {@link #advanceClock}: the real time plus the offset, read
     * at every call. Hand it to {@code ApplyOptions.clock(...)} so the SDK's clock moves with the hosts'.
     */
    public java.time.Clock clock() {
        return new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                long offset = store.read(s -> s.clockOffsetSeconds);
                return java.time.Instant.now().plusSeconds(offset);
            }
        };
    }

    /** The IDs of the cluster's bootstrap tokens now (the secret half is never kept): empty without a cluster. */
    public List<String> bootstrapTokenIds() {
        return store.read(s -> s.kube == null ? List.<String>of() : s.kube.tokens.stream().map(t -> t.id).toList());
    }

    /** etcd membership changes so far, in order, e.g. {@code member add --learner m2}, {@code member promote m2}. */
    public List<String> etcdHistory() {
        return store.read(s -> s.kube == null ? List.of() : List.copyOf(s.kube.history));
    }

    /** The etcd members now, with each member's health and the leader, read from the simulation (empty: no cluster). */
    public List<SimulatedCluster.EtcdMember> etcdMembers() {
        return store.read(SimulatedCluster::members);
    }

    /** The Node objects now: labels, annotations, taints, Ready, kubelet version (empty: no cluster). */
    public List<SimulatedCluster.Node> nodes() {
        return store.read(SimulatedCluster::nodes);
    }

    /**
     * One Node.
     *
     * @throws NoSuchElementException naming the Nodes there are
     */
    public SimulatedCluster.Node node(String name) {
        List<SimulatedCluster.Node> all = nodes();
        return all.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() -> new NoSuchElementException(
                "no Node '" + name + "'; the cluster has " + all.stream().map(SimulatedCluster.Node::name).toList()));
    }

    /** The ClusterConfiguration YAML stored in the kubeadm-config ConfigMap, or empty when there is no cluster. */
    public java.util.Optional<String> clusterConfiguration() {
        return store.read(s -> java.util.Optional.ofNullable(s.kube == null ? null : s.kube.clusterConfiguration));
    }

    /** The fleet's shared state, for the simulation's own tests. */
    StateStore store() {
        return store;
    }

    /** Stops every server and deletes the hosts' files and the keys. */
    @Override
    public void close() {
        for (SimulatedHost h : hosts.values()) {
            closeQuietly(h);
        }
        io.close();
        deleteTree(directory);
    }

    private static void closeQuietly(SimulatedHost h) {
        try {
            h.close();
        } catch (IOException | RuntimeException e) {
            // closing the rest matters more; the port is released when the JVM exits at the latest
        }
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static void checkUnique(List<Machine> machines) {
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> ips = new java.util.HashSet<>();
        for (Machine m : machines) {
            if (!names.add(m.hostname())) {
                throw new IllegalArgumentException("hostname '" + m.hostname() + "' is used by two machines");
            }
            if (!ips.add(m.ip())) {
                throw new IllegalArgumentException("ip " + m.ip() + " is used by two machines (" + m.hostname() + ")");
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
