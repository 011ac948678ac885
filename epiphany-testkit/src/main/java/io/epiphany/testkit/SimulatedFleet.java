package io.epiphany.testkit;

import io.epiphany.testkit.sim.kube.Etcdctl;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.testkit.sim.HostSetup;
import io.epiphany.testkit.sim.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A SIMULATED fleet: one in-process SSH server per machine on 127.0.0.1, each with its own host key and file tree,
 * running a simulated OS and sharing one simulated kubeadm cluster. The SDK reaches it through its normal SSH client
 * with strict host-key checking: {@link #sshSettings()} carries the fleet's client key, a known_hosts file with
 * every host's key and a closed network: every modelled address resolves to its host, any other is refused before a
 * socket opens. Close it to stop the servers and delete the files.
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

    SimulatedFleet(Path directory, FleetIo io, StateStore store, Map<String, SimulatedHost> hosts,
            List<Machine> machines, SshSettings sshSettings, Cluster cluster) {
        this.cluster = cluster;
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
        private String sshUser = "root";
        private String osId = "debian";
        private String osVersion = "12";
        private String kubeadmVersion = "v1.37.0";
        private String etcdVersion = "3.5.21";
        private boolean bareHosts;
        private boolean cgroupV1;
        private List<String> packageMirrors = List.of();
        private List<String> imageMirrors = List.of();
        private boolean airGapped;
        private Map<String, String> downloads = Map.of();

        private Options() {}

        public static Options defaults() {
            return new Options();
        }

        /** A changed copy; Options are immutable. */
        private Options with(java.util.function.Consumer<Options> change) {
            Options o = new Options();
            o.sshUser = sshUser;
            o.osId = osId;
            o.osVersion = osVersion;
            o.kubeadmVersion = kubeadmVersion;
            o.etcdVersion = etcdVersion;
            o.bareHosts = bareHosts;
            o.cgroupV1 = cgroupV1;
            o.packageMirrors = packageMirrors;
            o.imageMirrors = imageMirrors;
            o.airGapped = airGapped;
            o.downloads = downloads;
            change.accept(o);
            if (o.etcdVersion == null || !o.etcdVersion.matches("3\\.[4-6]\\.\\d{1,3}")) {
                throw new IllegalArgumentException("etcdVersion must be 3.4.x, 3.5.x or 3.6.x, was " + o.etcdVersion);
            }
            HostSetup.family(o.osId);
            return o;
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
            return with(o -> o.sshUser = user);
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
            return with(o -> {
                o.osId = id;
                o.osVersion = version;
            });
        }

        public Options withKubeadmVersion(String version) {
            return with(o -> o.kubeadmVersion = version);
        }

        /**
         * The etcd of the static pods, e.g. "3.4.30", "3.5.21", "3.6.4". etcdctl 3.4 prints IDs in JSON as decimal
         * numbers even with {@code --hex}; 3.5 and 3.6 print them as hex strings with it (etcd PR #11812).
         */
        public Options withEtcdVersion(String version) {
            return with(o -> o.etcdVersion = version);
        }

        /**
         * Bare machines: no kubeadm, kubelet, kubectl, crictl or containerd; swap on (also in /etc/fstab); overlay
         * and br_netfilter not loaded; ip_forward 0.
         */
        public Options withBareHosts(boolean bare) {
            return with(o -> o.bareHosts = bare);
        }

        /** The hosts boot with cgroup v1 ({@code stat -fc %T /sys/fs/cgroup} prints tmpfs). */
        public Options withCgroupV1(boolean v1) {
            return with(o -> o.cgroupV1 = v1);
        }

        /**
         * A package mirror: the SIMULATED repositories also answer at {@code baseUrl} with pkgs.k8s.io's layout
         * ({@code <baseUrl>/v1.37/deb/}) and Docker's ({@code <baseUrl>/debian}, {@code /ubuntu}, {@code /rhel}).
         */
        public Options withPackageMirror(String baseUrl) {
            return with(o -> o.packageMirrors = append(packageMirrors, baseUrl.replaceFirst("/$", "")));
        }

        /** An image mirror: images under {@code repository} (e.g. "mirror.example:5000/k8s") can be pulled. */
        public Options withImageMirror(String repository) {
            return with(o -> o.imageMirrors = append(imageMirrors, repository.replaceFirst("/$", "")));
        }

        /** Air-gapped: pkgs.k8s.io, download.docker.com and registry.k8s.io do not resolve; only mirrors do. */
        public Options withAirGapped(boolean gapped) {
            return with(o -> o.airGapped = gapped);
        }

        /** An URL the SIMULATED network serves with this content (e.g. a pinned CNI manifest). */
        public Options withDownload(String url, String content) {
            Map<String, String> d = new java.util.TreeMap<>(downloads);
            d.put(url, content);
            return with(o -> o.downloads = Map.copyOf(d));
        }

        private static List<String> append(List<String> list, String item) {
            List<String> out = new ArrayList<>(list);
            out.add(item);
            return List.copyOf(out);
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
        return FleetSetup.start(machines, options, base, cluster);
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

    /**
     * SSH settings for the fleet: its client key, a known_hosts file with every host's key, strict checking, and a
     * closed network. Its {@link SshSettings#addressBook()} maps every machine's modelled {@code ip} (any port) to its
     * simulated host, so a machine the description later drops, found through etcd members or a Node's InternalIP, is
     * reached in the process without {@code ApplyOptions.knownMachines}. {@link SshSettings#closedNetwork()} is set: a
     * connection to any other address fails at once, naming the address and "the simulated fleet's closed network",
     * and no packet leaves the process.
     */
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
     * Makes the next {@code times} runs of {@code kubeadm upgrade apply} fail kubeadm's CreateJob preflight check, as
     * it fails on busy real clusters (kubeadm#3050), unless the caller ignores that check.
     */
    public void failCreateJobChecks(int times) {
        store.update(s -> {
            s.createJobFailures = times;
            return null;
        });
    }

    /** Every {@code kubectl drain} takes this long before it evicts (workloads moving off a Node; zero by default). */
    public void drainDelay(Duration delay) {
        store.update(s -> {
            s.drainDelayMillis = delay.toMillis();
            return null;
        });
    }

    /**
     * Places a Pod on a Node for {@code kubectl drain} to deal with (none are there by default).
     *
     * @param controller the kind of its controller ({@code ReplicaSet}, {@code StatefulSet}, {@code DaemonSet}...),
     *     null for a Pod that declares none
     * @param emptyDir it mounts an emptyDir volume
     * @param blockingPdb a PodDisruptionBudget covering it that allows no disruption, or null
     */
    public void placePod(String node, String namespace, String name, String controller, boolean emptyDir,
            String blockingPdb) {
        store.update(s -> {
            SimulatedCluster.placePod(s, node, namespace, name, controller, emptyDir, blockingPdb);
            return null;
        });
    }

    /** The Pods on a Node, as {@code namespace/name}. */
    public List<String> pods(String node) {
        return store.read(s -> s.kube.pods.stream().filter(p -> p.node.equals(node))
                .map(p -> p.namespace + "/" + p.name).toList());
    }

    /** The PodDisruptionBudget allows disruptions again (its application scaled up, say). */
    public void unblockPdb(String pdb) {
        store.update(s -> {
            s.kube.pods.stream().filter(p -> pdb.equals(p.blockingPdb)).forEach(p -> p.blockingPdb = null);
            return null;
        });
    }

    /**
     * The fleet's clock as a controller would see it after {@link #advanceClock}: the real time plus the offset, read
     * at every call. Hand it to {@code ApplyOptions.clock(...)} so the SDK's clock moves with the hosts'.
     */
    public java.time.Clock clock() {
        return new FleetClock(store);
    }

    /** The IDs of the cluster's bootstrap tokens now (the secret half is never kept): empty without a cluster. */
    public List<String> bootstrapTokenIds() {
        return store.read(s -> s.kube == null ? List.<String>of() : s.kube.tokens.stream().map(t -> t.id).toList());
    }

    /**
     * SIMULATED corrupting race: adds a voting etcd member {@code name} with peer URL {@code https://<ip>:2380} that
     * once started but that no host runs, so it never answers (e.g. a second member with a master's name).
     */
    public void addDeadEtcdMember(String name, String ip) {
        store.update(s -> {
            Etcdctl.addDeadMember(s, name, "https://" + ip + ":2380");
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

    /**
     * Every host's HAProxy backends, hostname to {@link SimulatedHost#haproxyBackends()} (an empty map for a host
     * whose HAProxy does not run), read from the simulation in one go.
     */
    public Map<String, Map<String, List<SimulatedCluster.HaproxyServer>>> haproxyBackends() {
        return store.read(s -> SimulatedCluster.haproxyBackends(s, hosts.keySet()));
    }

    /** The ClusterConfiguration YAML stored in the kubeadm-config ConfigMap, or empty when there is no cluster. */
    public java.util.Optional<String> clusterConfiguration() {
        return store.read(s -> java.util.Optional.ofNullable(s.kube == null ? null : s.kube.clusterConfiguration));
    }

    /**
     * Writes the test kit's own small CNI manifest ({@link SimulatedCni#MANIFEST}: a DaemonSet "sim-cni" mounting
     * hostPath /etc/cni/net.d, not a copy of any third-party one), so that every Node turns Ready once it is applied.
     *
     * @return the file written, {@code dir/sim-cni.yaml}
     */
    public static Path cniManifest(Path dir) {
        return SimulatedCni.write(dir);
    }

    /** CoreDNS's ready replicas as {@code kubectl get deployment coredns} reports them (0: Pending, no cluster). */
    public int corednsReadyReplicas() {
        return store.read(SimulatedCluster::corednsReadyReplicas);
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
        FleetSetup.deleteTree(directory);
    }

    static void closeQuietly(SimulatedHost h) {
        try {
            h.close();
        } catch (IOException | RuntimeException e) {
            // closing the rest matters more; the port is released when the JVM exits at the latest
        }
    }

}
