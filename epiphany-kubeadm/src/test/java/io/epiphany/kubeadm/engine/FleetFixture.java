package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.Machine;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.testkit.SimulatedCluster;
import io.epiphany.testkit.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A SIMULATED fleet of machines for engine tests, and ways to look at it the way an operator would. The fleet comes
 * from the test kit's extension, as a user's would: {@code @Fleet(masters = 3, nodes = 1, network = NETWORK)
 * SimulatedFleet fleet} and {@code new FleetFixture(fleet)}; the constructors that start a fleet are for a test that
 * needs one mid-test, a second one, or options {@code @Fleet} does not describe.
 */
final class FleetFixture implements AutoCloseable {
    /** The engine tests' network: masters on 10.10.1.11.., nodes on 10.10.2.11.. (the assertions name them). */
    static final String NETWORK = "10.10.1";
    /** The engine tests' cluster name (the assertions name it). */
    static final String NAME = "k8s1";
    final SimulatedFleet fleet;
    final Cluster all;
    private final java.nio.file.Path cniDir;
    /** The fleet came from the test kit's extension, which closes it when its test or class ends. */
    private final boolean injected;
    final RemoteAccess access = RemoteAccess.load();
    final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

    /** A fleet started here, e.g. the first of two a test starts one after the other. */
    FleetFixture(int masters, int nodes) {
        this(masters, nodes, SimulatedFleet.Options.defaults());
    }

    /** A fleet started with these options (e.g. mirrors, which {@code @Fleet} does not describe). */
    FleetFixture(int masters, int nodes, SimulatedFleet.Options fleetOptions) {
        this(masters, nodes, fleetOptions, "m", "n", 10);
    }

    /**
     * Other machines: masters {@code <masterPrefix>1..}, nodes {@code <nodePrefix>1..}, addresses
     * {@code 10.<network>.1.x} and {@code 10.<network>.2.x} (new machines with new names and addresses).
     */
    FleetFixture(int masters, int nodes, String masterPrefix, String nodePrefix, int network) {
        this(masters, nodes, SimulatedFleet.Options.defaults(), masterPrefix, nodePrefix, network);
    }

    private FleetFixture(int masters, int nodes, SimulatedFleet.Options fleetOptions, String masterPrefix,
            String nodePrefix, int network) {
        Cluster.Builder b = Cluster.builder().name(NAME).allowEvenMasters(true);
        for (int i = 1; i <= masters; i++) {
            b.addMaster(Machine.of(masterPrefix + i, "10." + network + ".1." + (10 + i)));
        }
        for (int i = 1; i <= nodes; i++) {
            b.addNode(Machine.of(nodePrefix + i, "10." + network + ".2." + (10 + i)));
        }
        this.fleet = SimulatedFleet.start(b.build(), fleetOptions);
        this.injected = false;
        this.cniDir = cniDir();
        this.all = withCni(fleet, cniDir);
    }

    /**
     * Around a fleet from {@link io.epiphany.testkit.SimulatedFleetExtension}: a {@code @Fleet} parameter of a test
     * (one fleet per test) or of a {@code @BeforeAll} method (one for the class); masters may be even. The description
     * is named {@link #NAME}. {@link #close()} leaves the fleet to the extension.
     */
    FleetFixture(SimulatedFleet injectedFleet) {
        this.fleet = injectedFleet;
        this.injected = true;
        this.cniDir = cniDir();
        this.all = withCni(fleet, cniDir).toBuilder().name(NAME).allowEvenMasters(true).build();
    }

    private static java.nio.file.Path cniDir() {
        try {
            return Files.createTempDirectory("epiphany-cni");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test kit's own CNI manifest: Nodes turn Ready only once a CNI is applied, as on real kubeadm hosts. */
    private static Cluster withCni(SimulatedFleet fleet, java.nio.file.Path dir) {
        return fleet.cluster().toBuilder().cni(Cni.manifest(SimulatedFleet.cniManifest(dir))).build();
    }

    /** A description with the given masters and nodes of this fleet, in that order. */
    Cluster cluster(List<String> masters, List<String> nodes) {
        return all.toBuilder().allowEvenMasters(false).masters(pick(masters)).nodes(pick(nodes)).build();
    }

    List<Machine> pick(List<String> names) {
        return names.stream().map(n -> all.machine(n).orElseThrow()).toList();
    }

    ApplyOptions options() {
        // no knownMachines: the fleet's closed network reaches machines that left the description (issue 15)
        return ApplyOptions.builder().remoteAccess(access).listener(ProgressListener.of(events::add))
                .healthTimeout(Duration.ofSeconds(30)).build();
    }

    ApplyOptions.Builder optionsBuilder() {
        return ApplyOptions.builder().from(options());
    }

    CommandResult run(String host, Command command) {
        return access.host(all.machine(host).orElseThrow(), all.ssh()).run(command);
    }

    /**
     * etcd member names, read from the simulation; {@code viaMaster}'s etcdctl must answer (its member runs and the
     * cluster has quorum), as an operator asking there would need.
     */
    List<String> etcdMembers(String viaMaster) {
        etcdctl(viaMaster, "member", "list").orThrow();
        return fleet.etcdMembers().stream().map(SimulatedCluster.EtcdMember::name).sorted().toList();
    }

    /** Node names, read from the simulation; the API server must answer {@code kubectl get nodes} on the master. */
    List<String> nodes(String viaMaster) {
        run(viaMaster, Command.of("kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "get", "nodes")).orThrow();
        return fleet.nodes().stream().map(SimulatedCluster.Node::name).sorted().toList();
    }

    /** etcdctl inside the master's etcd container, as the engine runs it. */
    CommandResult etcdctl(String master, String... args) {
        return Etcd.run(all, access.host(all.machine(master).orElseThrow(), all.ssh()), false, args);
    }

    /** The server names of the backends the host's HAProxy runs with, read from the simulation (empty: not running). */
    List<String> haproxyServers(String host) {
        return fleet.host(host).haproxyBackends().values().stream().flatMap(List::stream)
                .map(SimulatedCluster.HaproxyServer::name).toList();
    }

    long writes() {
        return fleet.hosts().stream().mapToLong(h -> h.writeCount()).sum();
    }

    long stateChanges() {
        return fleet.hosts().stream().mapToLong(h -> h.stateChangingCommandCount()).sum();
    }

    void resetCounters() {
        fleet.hosts().forEach(h -> h.resetCounters());
    }

    @Override
    public void close() {
        access.close();
        if (!injected) {
            fleet.close();
        }
        try (var files = Files.walk(cniDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
