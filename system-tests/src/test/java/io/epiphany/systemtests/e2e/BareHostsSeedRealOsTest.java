package io.epiphany.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Plan;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import io.epiphany.systemtests.fleet.ProcessRun;
import io.epiphany.systemtests.fleet.RealOsFleet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 on the real-OS fleet: the seed topology (3 masters, 2 nodes) on BARE machines goes through the host
 * preparation phases and ends with Ready Nodes only after the CNI is applied. The machines are SIMULATED bare
 * ({@code epiphany.sim.bare=true}: swap on and in /etc/fstab, no kernel modules, ip_forward 0, no Kubernetes
 * packages, no containerd; Debian 12 in /etc/os-release): swap, modules, sysctls, apt-get, apt-mark, containerd, the
 * package repositories' downloads and the cgroup check are the test kit's simulation (the fleet's wrappers; the real
 * programs are blocked inside the hosts), and so are kubeadm, kubelet, kubectl and the API servers (stand-ins). REAL:
 * OpenSSH with a non-root sudo user, SFTP uploads into each host's own /etc, HAProxy, etcd, curl's health checks,
 * and the `command -v` the SDK asks the real shell (a program is on a host's PATH only once the simulation installed
 * it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class BareHostsSeedRealOsTest {
    private static final List<String> MASTERS = List.of("master1", "master2", "master3");
    private static final List<String> NODES = List.of("node1", "node2");
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf";

    private RealOsFleet fleet;
    private Cluster cluster;
    private List<String> hosts;
    private final List<String> phases = new CopyOnWriteArrayList<>();
    /** master1's Nodes and its /etc/cni/net.d as the CNI phase starts (seen from inside the host). */
    private volatile String nodesBeforeCni;
    private volatile String cniDirBeforeCni;

    @BeforeAll
    void startFleet() {
        fleet = FleetClusters.start(MASTERS, NODES, Map.of("epiphany.sim.bare", "true"));
        hosts = fleet.hosts().stream().map(h -> h.hostname()).toList();
        cluster = FleetClusters.cluster(fleet, "bare", MASTERS, NODES);
    }

    @AfterAll
    void stopFleet() {
        FleetClusters.stop(fleet);
    }

    private String sh(String host, String line) {
        return fleet.exec(host, "sh", "-c", line).orThrow().stdout();
    }

    @Test
    @Order(1)
    void theHostsStartBare() {
        for (String host : hosts) {
            assertThat(fleet.exec(host, "sh", "-c", "command -v kubeadm").ok()).as("kubeadm on %s", host).isFalse();
            assertThat(fleet.exec(host, "sh", "-c", "command -v containerd").ok()).as("containerd on %s", host)
                    .isFalse();
            assertThat(sh(host, "swapon --show=NAME --noheadings").strip()).as("swap on %s", host)
                    .isEqualTo("/dev/vda2");
            assertThat(sh(host, "cat /etc/fstab")).containsPattern("(?m)^/dev/vda2\\s+none\\s+swap");
            assertThat(sh(host, "cat /etc/os-release")).contains("ID=debian").contains("VERSION_ID=\"12\"");
            assertThat(sh(host, "lsmod")).doesNotContain("br_netfilter");
            // the real programs are out of reach inside a host, even by their full path
            ProcessRun.Result realSwapoff = fleet.exec(host, "/usr/sbin/swapoff", "-a");
            assertThat(realSwapoff.ok()).isFalse();
            assertThat(realSwapoff.stderr()).contains("blocked");
        }
    }

    @Test
    @Order(2)
    void applyPreparesTheBareHostsAndTheNodesTurnReadyOnlyAfterTheCni() {
        ProgressListener listener = ProgressListener.of(this::seen);
        ApplyOptions options = ApplyOptions.builder().listener(listener).healthTimeout(Duration.ofMinutes(1)).build();
        long start = System.nanoTime();
        Plan plan = cluster.plan(options);
        String planText = plan.toString();
        assertThat(planText).contains("install kubeadm=1.37.0-1.1").contains("containerd");
        ApplyResult result = cluster.apply(plan, options);
        long applyMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(result);
        System.out.println("phases: " + phases);

        assertThat(phases).containsSubsequence("Prepare kernel", "Install Kubernetes packages",
                "Install container runtime", "Initialise control plane", "Install CNI", "Join masters", "Join nodes",
                "Verify");
        // as the CNI phase started, master1 was in the cluster but NotReady, with no CNI config
        assertThat(nodesBeforeCni).as("kubectl get nodes on master1 before the CNI").containsPattern(
                "(?m)^master1\\s+NotReady\\b");
        assertThat(cniDirBeforeCni).as("/etc/cni/net.d on master1 before the CNI").isBlank();
        assertThat(result.verified()).anyMatch(v -> v.contains("5 Nodes Ready"))
                .anyMatch(v -> v.contains("answers ok on all 5 hosts"));

        Plan again = cluster.plan(options);
        assertThat(again.isEmpty()).as("second plan:\n%s", again).isTrue();
        System.out.printf("FIGURE bare-seed-apply: plan+apply of 5 bare hosts %d ms%n", applyMillis);
    }

    /** On the engine's thread: the phases in order, and a look at master1 as the CNI phase starts. */
    private void seen(ProgressEvent e) {
        if (e.type() != ProgressEvent.Type.PHASE_STARTED) {
            return;
        }
        phases.add(e.phase());
        if (e.phase().equals("Install CNI")) {
            nodesBeforeCni = sh("master1", KUBECTL + " get nodes");
            cniDirBeforeCni = sh("master1", "ls -A /etc/cni/net.d 2>/dev/null || true");
        }
    }

    @Test
    @Order(3)
    void everyHostIsPreparedInItsOwnFiles() {
        for (String host : hosts) {
            assertThat(sh(host, "swapon --show=NAME --noheadings")).as("swap on %s", host).isBlank();
            assertThat(sh(host, "cat /etc/fstab")).as("%s's /etc/fstab", host)
                    .containsPattern("(?m)^#epiphany: /dev/vda2\\s+none\\s+swap")
                    .doesNotContainPattern("(?m)^/dev/vda2");
            assertThat(sh(host, "lsmod")).contains("overlay").contains("br_netfilter");
            assertThat(sh(host, "cat /etc/modules-load.d/epiphany-kubernetes.conf")).contains("br_netfilter");
            assertThat(sh(host, "sysctl net.ipv4.ip_forward").strip()).isEqualTo("net.ipv4.ip_forward = 1");
            assertThat(sh(host, "cat /etc/containerd/config.toml")).contains("SystemdCgroup = true");
            assertThat(sh(host, "systemctl is-active containerd").strip()).isEqualTo("active");
            assertThat(sh(host, "systemctl is-enabled kubelet").strip()).isEqualTo("enabled");
            assertThat(sh(host, "cat /etc/apt/sources.list.d/kubernetes.list")).contains("pkgs.k8s.io");
            assertThat(sh(host, "command -v kubeadm").strip()).isEqualTo("/usr/local/bin/kubeadm");
            assertThat(sh(host, "apt-mark showhold")).contains("kubeadm").contains("kubelet");
            assertThat(sh(host, "ls /etc/cni/net.d")).as("CNI config on %s", host).contains(".conflist");
            // in the host's own /etc (the overlay's upper layer), never the machine's
            assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/run/epiphany-fleet", fleet.slot().name(),
                    "hosts", host, "etc-upper", "sysctl.d", "99-epiphany-kubernetes.conf"))).isTrue();
        }
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/etc/sysctl.d/99-epiphany-kubernetes.conf")))
                .as("the machine's own /etc").isFalse();
        String nodes = sh("master1", KUBECTL + " get nodes");
        for (String host : hosts) {
            assertThat(nodes).containsPattern("(?m)^" + host + "\\s+Ready\\b");
        }
    }
}
