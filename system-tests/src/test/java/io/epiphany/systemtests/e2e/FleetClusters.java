package io.epiphany.systemtests.e2e;

import io.epiphany.api.Cluster;
import io.epiphany.api.Cni;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.systemtests.FleetTeardownTest;
import io.epiphany.systemtests.SystemAssumptions;
import io.epiphany.systemtests.fleet.RealOsFleet;
import io.epiphany.testkit.SimulatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@link Cluster} description whose machines are hosts of a {@link RealOsFleet}: each machine's ip is its fleet
 * address (reached directly, no sshAddress), logged in as the fleet's non-root sudo user with the fleet's key, host keys
 * checked strictly against the fleet's known_hosts. Public for the benchmarks (io.epiphany.systemtests.bench).
 */
public final class FleetClusters {
    /** HAProxy's health-check interval in these tests: short, so a dead master is out within seconds. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
    static final int FALL = 3;
    /** The fast interval HAProxy uses between the failures of a master that is going down (the renderer's FAST_INTER). */
    static final Duration FAST_INTER = Duration.ofSeconds(2);

    private static Path cni;

    private FleetClusters() {}

    /**
     * A fleet of {@code masters} then {@code nodes} with SIMULATED Kubernetes ({@code simulation}: its system
     * properties), once this machine is known to run one (else the test is skipped).
     */
    public static RealOsFleet start(List<String> masters, List<String> nodes, java.util.Map<String, String> simulation) {
        SystemAssumptions.assumeRealOsFleet();
        List<String> all = new java.util.ArrayList<>(masters);
        all.addAll(nodes);
        return RealOsFleet.startWithSimulatedKubernetes(all, simulation);
    }

    /** Closes a fleet {@link #start} made, if it was made, and checks that nothing of it is left on this machine. */
    public static void stop(RealOsFleet fleet) {
        if (fleet != null) {
            fleet.close();
            FleetTeardownTest.assertNothingLeft(fleet.slot());
        }
    }

    /** How long a dead master can still receive traffic: {@code inter + (fall - 1) * fastinter}. */
    static Duration detectionTime() {
        return CHECK_INTERVAL.plus(FAST_INTER.multipliedBy(FALL - 1));
    }

    static Machine machine(RealOsFleet fleet, String hostname) {
        return Machine.of(hostname, fleet.host(hostname).ip());
    }

    static List<Machine> machines(RealOsFleet fleet, List<String> hostnames) {
        return hostnames.stream().map(h -> machine(fleet, h)).toList();
    }

    public static Cluster cluster(RealOsFleet fleet, String name, List<String> masters, List<String> nodes) {
        SshSettings ssh = fleet.sshSettings();
        LoadBalancer lb = LoadBalancer.builder().checkInterval(CHECK_INTERVAL).fall(FALL).build();
        return Cluster.builder().name(name).masters(machines(fleet, masters)).nodes(machines(fleet, nodes)).ssh(ssh)
                .loadBalancer(lb).cni(Cni.manifest(cniManifest())).build();
    }

    /**
     * The test kit's own SIMULATED CNI manifest (a DaemonSet mounting hostPath /etc/cni/net.d, no third-party
     * manifest): once applied, the simulation writes a CNI config on every host whose kubelet runs and the Nodes turn
     * Ready. Written once per JVM into a temporary directory.
     */
    static synchronized Path cniManifest() {
        if (cni == null) {
            try {
                Path dir = Files.createTempDirectory("epiphany-e2e-cni");
                dir.toFile().deleteOnExit();
                cni = SimulatedFleet.cniManifest(dir);
                cni.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return cni;
    }

    /** The REAL etcdctl in the host's etcd "container" against its local member, with kubeadm's client certificate. */
    static io.epiphany.systemtests.fleet.ProcessRun.Result etcdctl(RealOsFleet fleet, String host, String... args) {
        String pki = "/etc/kubernetes/pki/etcd/";
        List<String> line = new java.util.ArrayList<>(List.of("--endpoints", "https://127.0.0.1:2379", "--cacert",
                pki + "ca.crt", "--cert", pki + "healthcheck-client.crt", "--key", pki + "healthcheck-client.key"));
        line.addAll(List.of(args));
        return fleet.etcdctl(host, line.toArray(String[]::new)); // a kubeadm host has etcdctl only in the etcd pod
    }
}
