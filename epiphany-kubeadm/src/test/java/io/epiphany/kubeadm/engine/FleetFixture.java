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
import io.epiphany.testkit.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** A SIMULATED fleet of machines for engine tests, and ways to look at it the way an operator would. */
final class FleetFixture implements AutoCloseable {
    final SimulatedFleet fleet;
    final Cluster all;
    private final java.nio.file.Path cniDir;
    final RemoteAccess access = RemoteAccess.load();
    final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

    FleetFixture(int masters, int nodes) {
        this(masters, nodes, "root");
    }

    /** A fleet whose SSH login is {@code sshUser}: a non-root user takes the sudo path for commands and files. */
    FleetFixture(int masters, int nodes, String sshUser) {
        this(masters, nodes, SimulatedFleet.Options.defaults().withSshUser(sshUser));
    }

    /** A fleet started with these options (versions, OS, bare hosts). */
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
        Cluster.Builder b = Cluster.builder().name("k8s1").allowEvenMasters(true);
        for (int i = 1; i <= masters; i++) {
            b.addMaster(Machine.of(masterPrefix + i, "10." + network + ".1." + (10 + i)));
        }
        for (int i = 1; i <= nodes; i++) {
            b.addNode(Machine.of(nodePrefix + i, "10." + network + ".2." + (10 + i)));
        }
        this.fleet = SimulatedFleet.start(b.build(), fleetOptions);
        try {
            this.cniDir = Files.createTempDirectory("epiphany-cni");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the test kit's own CNI manifest: Nodes turn Ready only once a CNI is applied, as on real kubeadm hosts
        this.all = fleet.cluster().toBuilder().cni(Cni.manifest(SimulatedFleet.cniManifest(cniDir))).build();
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

    /** etcd member names, as etcdctl in a master's etcd container reports them. */
    List<String> etcdMembers(String viaMaster) {
        String json = etcdctl(viaMaster, "member", "list", "-w", "json", "--hex").orThrow().stdout();
        return Etcd.parseMembers(Machine.of(viaMaster, "10.0.0.1"), json).stream().map(EtcdMember::name).sorted()
                .toList();
    }

    /** Node names, as kubectl on a master reports them. */
    List<String> nodes(String viaMaster) {
        CommandResult r = run(viaMaster, Command.of("kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "get",
                "nodes", "-o", "json")).orThrow();
        return FactsGatherer.parseNodes(Machine.of(viaMaster, "10.0.0.1"), r).stream().map(NodeInfo::name).sorted()
                .toList();
    }

    /** etcdctl inside the master's etcd container, as the engine runs it. */
    CommandResult etcdctl(String master, String... args) {
        return Etcd.run(all, access.host(all.machine(master).orElseThrow(), all.ssh()), false, args);
    }

    /** The server lines of a host's haproxy.cfg, as written on the host. */
    List<String> haproxyServers(String host) {
        try {
            return Files.readAllLines(fleet.host(host).root().resolve("etc/haproxy/haproxy.cfg")).stream()
                    .map(String::trim).filter(l -> l.startsWith("server ")).map(l -> l.split("\\s+")[1])
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        fleet.close();
        try (var files = Files.walk(cniDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
