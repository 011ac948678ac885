package io.epiphany.testkit;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.testkit.sim.HostSetup;
import io.epiphany.testkit.sim.MemoryStateStore;
import io.epiphany.testkit.sim.kube.Nodes;
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
     * How the simulated machines look: login user, OS, installed kubeadm version, the etcd version of the static pod
     * kubeadm deploys (which decides etcdctl's ID format, see {@link #withEtcdVersion}), whether the machines are bare
     * (issue 11), their cgroup version, and the package and image mirrors the SIMULATED network serves.
     */
    public static final class Options {
        private final String sshUser;
        private final String osId;
        private final String osVersion;
        private final String kubeadmVersion;
        private final String etcdVersion;
        private final boolean bareHosts;
        private final boolean cgroupV1;
        private final List<String> packageMirrors;
        private final List<String> imageMirrors;
        private final boolean airGapped;
        private final Map<String, String> downloads;

        private Options(String sshUser, String osId, String osVersion, String kubeadmVersion, String etcdVersion,
                boolean bareHosts, boolean cgroupV1, List<String> packageMirrors, List<String> imageMirrors,
                boolean airGapped, Map<String, String> downloads) {
            if (etcdVersion == null || !etcdVersion.matches("3\\.[4-6]\\.\\d{1,3}")) {
                throw new IllegalArgumentException("etcdVersion must be 3.4.x, 3.5.x or 3.6.x, was " + etcdVersion);
            }
            HostSetup.family(osId);
            this.sshUser = sshUser;
            this.osId = osId;
            this.osVersion = osVersion;
            this.kubeadmVersion = kubeadmVersion;
            this.etcdVersion = etcdVersion;
            this.bareHosts = bareHosts;
            this.cgroupV1 = cgroupV1;
            this.packageMirrors = List.copyOf(packageMirrors);
            this.imageMirrors = List.copyOf(imageMirrors);
            this.airGapped = airGapped;
            this.downloads = Map.copyOf(downloads);
        }

        public static Options defaults() {
            return new Options("root", "debian", "12", "v1.37.0", "3.5.21", false, false, List.of(), List.of(), false,
                    Map.of());
        }

        public String sshUser() {
            return sshUser;
        }

        /** The OS family: "debian" (apt-get) or "rhel" (dnf). */
        public String os() {
            return HostSetup.family(osId);
        }

        /** The /etc/os-release ID, e.g. debian, ubuntu, rocky. */
        public String osId() {
            return osId;
        }

        public String osVersion() {
            return osVersion;
        }

        public String kubeadmVersion() {
            return kubeadmVersion;
        }

        public String etcdVersion() {
            return etcdVersion;
        }

        public boolean bareHosts() {
            return bareHosts;
        }

        public boolean cgroupV1() {
            return cgroupV1;
        }

        public List<String> packageMirrors() {
            return packageMirrors;
        }

        public List<String> imageMirrors() {
            return imageMirrors;
        }

        public boolean airGapped() {
            return airGapped;
        }

        public Map<String, String> downloads() {
            return downloads;
        }

        /** A non-root login user: root commands then need {@code sudo}, as on a real machine. */
        public Options withSshUser(String user) {
            return new Options(user, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, cgroupV1,
                    packageMirrors, imageMirrors, airGapped, downloads);
        }

        /** "debian" (Debian 12: apt-get; haproxy starts on install) or "rhel" (Rocky 9.4: dnf; it does not). */
        public Options withOs(String family) {
            if (!family.equals("debian") && !family.equals("rhel")) {
                throw new IllegalArgumentException("os must be debian or rhel, was " + family);
            }
            return family.equals("debian") ? withOs("debian", "12") : withOs("rocky", "9.4");
        }

        /** The /etc/os-release of every host, e.g. ("debian","12"), ("ubuntu","24.04"), ("rocky","9.4"). */
        public Options withOs(String id, String version) {
            return new Options(sshUser, id, version, kubeadmVersion, etcdVersion, bareHosts, cgroupV1, packageMirrors,
                    imageMirrors, airGapped, downloads);
        }

        public Options withKubeadmVersion(String version) {
            return new Options(sshUser, osId, osVersion, version, etcdVersion, bareHosts, cgroupV1, packageMirrors,
                    imageMirrors, airGapped, downloads);
        }

        /**
         * The etcd of the static pods, e.g. "3.4.30", "3.5.21", "3.6.4". etcdctl 3.4 prints IDs in JSON as decimal
         * numbers even with {@code --hex}; 3.5 and 3.6 print them as hex strings with it (etcd PR #11812).
         */
        public Options withEtcdVersion(String version) {
            return new Options(sshUser, osId, osVersion, kubeadmVersion, version, bareHosts, cgroupV1, packageMirrors,
                    imageMirrors, airGapped, downloads);
        }

        /**
         * Bare machines: no kubeadm, kubelet, kubectl, crictl or containerd; swap on (also in /etc/fstab); overlay
         * and br_netfilter not loaded; ip_forward 0.
         */
        public Options withBareHosts(boolean bare) {
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bare, cgroupV1, packageMirrors,
                    imageMirrors, airGapped, downloads);
        }

        /** The hosts boot with cgroup v1 ({@code stat -fc %T /sys/fs/cgroup} prints tmpfs). */
        public Options withCgroupV1(boolean v1) {
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, v1, packageMirrors,
                    imageMirrors, airGapped, downloads);
        }

        /**
         * A package mirror: the SIMULATED repositories also answer at {@code baseUrl} with pkgs.k8s.io's layout
         * ({@code <baseUrl>/v1.37/deb/}) and Docker's ({@code <baseUrl>/debian}, {@code /ubuntu}, {@code /rhel}).
         */
        public Options withPackageMirror(String baseUrl) {
            List<String> m = new ArrayList<>(packageMirrors);
            m.add(baseUrl.replaceFirst("/$", ""));
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, cgroupV1, m,
                    imageMirrors, airGapped, downloads);
        }

        /** An image mirror: images under {@code repository} (e.g. "mirror.example:5000/k8s") can be pulled. */
        public Options withImageMirror(String repository) {
            List<String> m = new ArrayList<>(imageMirrors);
            m.add(repository.replaceFirst("/$", ""));
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, cgroupV1,
                    packageMirrors, m, airGapped, downloads);
        }

        /** Air-gapped: pkgs.k8s.io, download.docker.com and registry.k8s.io do not resolve; only mirrors do. */
        public Options withAirGapped(boolean gapped) {
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, cgroupV1,
                    packageMirrors, imageMirrors, gapped, downloads);
        }

        /** An URL the SIMULATED network serves with this content (e.g. a pinned CNI manifest). */
        public Options withDownload(String url, String content) {
            Map<String, String> d = new java.util.TreeMap<>(downloads);
            d.put(url, content);
            return new Options(sshUser, osId, osVersion, kubeadmVersion, etcdVersion, bareHosts, cgroupV1,
                    packageMirrors, imageMirrors, airGapped, d);
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
                host.writeInitialFiles(options.bareHosts());
                host.resetCounters(); // the machine's own files are not the SDK's writes
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
            if (options.airGapped()) {
                s.packageBases.clear();
                s.registries.clear();
            }
            options.packageMirrors().forEach(u -> {
                if (!s.packageBases.contains(u)) {
                    s.packageBases.add(u);
                }
            });
            options.imageMirrors().forEach(r -> {
                if (!s.registries.contains(r)) {
                    s.registries.add(r);
                }
            });
            s.downloads.putAll(options.downloads());
            SimulationState.Host h = new SimulationState.Host();
            h.ip = m.ip();
            h.kubeadmVersion = options.kubeadmVersion();
            HostSetup.prepare(h, options.osId(), options.osVersion(), options.bareHosts(),
                    options.cgroupV1());
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

    /**
     * Writes a small CNI manifest the test kit owns (not a copy of any third-party one): a DaemonSet "sim-cni" in
     * kube-system that mounts hostPath /etc/cni/net.d, so that every Node turns Ready once it is applied.
     *
     * @return the file written, {@code dir/sim-cni.yaml}
     */
    public static Path cniManifest(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("sim-cni.yaml");
            Files.writeString(file, SIM_CNI, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest {@link #cniManifest} writes. */
    public static final String SIM_CNI = """
            # SIMULATED CNI of the epiphany test kit: its pod puts a config into /etc/cni/net.d on every node
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: sim-cni
              namespace: kube-system
            spec:
              selector:
                matchLabels:
                  app: sim-cni
              template:
                metadata:
                  labels:
                    app: sim-cni
                spec:
                  tolerations:
                  - operator: Exists
                  containers:
                  - name: install-cni
                    image: registry.k8s.io/pause:3.10.1
                    volumeMounts:
                    - name: cni-conf
                      mountPath: /etc/cni/net.d
                  volumes:
                  - name: cni-conf
                    hostPath:
                      path: /etc/cni/net.d
            """;

    /** CoreDNS's ready replicas as {@code kubectl get deployment coredns} reports them (0: Pending, no cluster). */
    public int corednsReadyReplicas() {
        return store.read(s -> s.kube != null && s.kube.nodes.values().stream()
                .anyMatch(n -> Nodes.condition(s, n).status().equals("True")) ? 2 : 0);
    }

    /** Every repository URL any host installed a package from (proves a mirror setting was used for all). */
    public java.util.Set<String> packageSources() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        hosts.values().forEach(h -> h.system().packages().values().forEach(p -> out.add(p.repository())));
        return out;
    }

    /** Every image any host pulled. */
    public java.util.Set<String> pulledImages() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        hosts.values().forEach(h -> out.addAll(h.system().images()));
        return out;
    }

    /** The objects applied with kubectl apply, as "Kind/namespace/name" (namespace empty when cluster-scoped). */
    public List<String> appliedObjects() {
        return store.read(s -> s.kube == null ? List.of() : List.copyOf(s.kube.objects.keySet()));
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
