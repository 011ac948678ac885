package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import io.epiphany.testkit.sim.kube.Nodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Bare SIMULATED machines taken to a Ready cluster with the command lines of docs/host-commands.md (issue 11): kubeadm
 * refuses an unprepared host with its real preflight messages, Nodes stay NotReady until a CNI is applied, mirrors are
 * the only source of packages and images when set.
 */
@Execution(ExecutionMode.CONCURRENT)
class BareFleetTest {
    private static final String K8S = "https://pkgs.k8s.io/core:/stable:";
    private static final String DOCKER = "https://download.docker.com/linux";

    @TempDir
    Path dir;

    private static SimulatedFleet fleet(SimulatedFleet.Options options) {
        return SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"), Machine.of("n1", "10.0.0.21")),
                options.withBareHosts(true));
    }

    /** What the SDK's host preparation sends to a Debian-family host. */
    static void prepareDebian(ClusterScript script, TestSsh ssh, String host, String k8sRepo, String ctrRepo,
            String distro, String codename, boolean kubectl) throws Exception {
        prepareDebian(script, ssh, host, k8sRepo, ctrRepo, distro, codename, kubectl,
                io.epiphany.testkit.sim.HostSetup.READY_CONTAINERD_CONFIG);
    }

    static void prepareDebian(ClusterScript script, TestSsh ssh, String host, String k8sRepo, String ctrRepo,
            String distro, String codename, boolean kubectl, String containerdConfig) throws Exception {
        script.ok(host, "swapoff -a");
        String fstab = script.ok(host, "cat /etc/fstab").out().replaceAll("(?m)^(\\S+\\s+\\S+\\s+swap\\s.*)$",
                "#epiphany: $1");
        ssh.put(host, "/etc/fstab", fstab);
        script.ok(host, "modprobe overlay && modprobe br_netfilter");
        script.ok(host, "mkdir -p /etc/modules-load.d /etc/sysctl.d /etc/apt/keyrings /etc/containerd");
        ssh.put(host, "/etc/modules-load.d/epiphany-kubernetes.conf", "overlay\nbr_netfilter\n");
        ssh.put(host, "/etc/sysctl.d/99-epiphany-kubernetes.conf", "net.bridge.bridge-nf-call-iptables = 1\n"
                + "net.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n");
        script.ok(host, "sysctl -p /etc/sysctl.d/99-epiphany-kubernetes.conf");
        script.ok(host, "curl -fsSL --max-time 60 -o /etc/apt/keyrings/kubernetes-apt-keyring.asc " + k8sRepo
                + "/v1.37/deb/Release.key");
        ssh.put(host, "/etc/apt/sources.list.d/kubernetes.list", "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-"
                + "keyring.asc] " + k8sRepo + "/v1.37/deb/ /\n");
        script.ok(host, "curl -fsSL --max-time 60 -o /etc/apt/keyrings/docker.asc " + ctrRepo + "/" + distro + "/gpg");
        ssh.put(host, "/etc/apt/sources.list.d/docker.list", "deb [signed-by=/etc/apt/keyrings/docker.asc] " + ctrRepo
                + "/" + distro + " " + codename + " stable\n");
        script.ok(host, "env DEBIAN_FRONTEND=noninteractive apt-get update");
        script.ok(host, "env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages "
                + "kubeadm=1.37.0-1.1 kubelet=1.37.0-1.1" + (kubectl ? " kubectl=1.37.0-1.1" : ""));
        script.ok(host, "apt-mark hold kubeadm kubelet" + (kubectl ? " kubectl" : ""));
        script.ok(host, "env DEBIAN_FRONTEND=noninteractive apt-get install -y containerd.io");
        ssh.put(host, "/etc/containerd/config.toml", containerdConfig);
        script.ok(host, "systemctl restart containerd && systemctl enable --now containerd");
        script.ok(host, "systemctl enable kubelet");
    }

    private static String initConfig(String repository) {
        String c = ClusterScript.initConfig("m1", "10.0.0.11", "  - name: encryption-provider-config\n"
                + "    value: /etc/kubernetes/enc/encryption-config.yaml\n")
                + "networking:\n  podSubnet: \"10.244.0.0/16\"\n";
        return repository == null ? c : c + "imageRepository: \"" + repository + "\"\n";
    }

    private static void writeInit(ClusterScript script, TestSsh ssh, String repository) throws Exception {
        script.ok("m1", "mkdir -p /etc/kubernetes/epiphany /etc/kubernetes/enc");
        ssh.put("m1", "/etc/kubernetes/enc/encryption-config.yaml", "kind: EncryptionConfiguration\n");
        ssh.put("m1", "/etc/kubernetes/epiphany/kubeadm-init.yaml", initConfig(repository));
    }

    @Test
    void kubeadmRefusesAnUnpreparedHostWithItsRealMessages() throws Exception {
        try (SimulatedFleet fleet = fleet(SimulatedFleet.Options.defaults()); TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            assertThat(ssh.run("m1", "kubeadm version -o short").exit()).isEqualTo(127);
            // kubeadm from the repository, nothing else prepared
            script.ok("m1", "mkdir -p /etc/apt/keyrings && curl -fsSL --max-time 60 -o "
                    + "/etc/apt/keyrings/kubernetes-apt-keyring.asc " + K8S + "/v1.37/deb/Release.key");
            ssh.put("m1", "/etc/apt/sources.list.d/kubernetes.list", "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-"
                    + "keyring.asc] " + K8S + "/v1.37/deb/ /\n");
            script.ok("m1", "apt-get update && apt-get install -y kubeadm=1.37.0-1.1 kubelet=1.37.0-1.1");
            writeInit(script, ssh, null);
            TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("[WARNING Swap]: swap is supported for cgroup v2 only",
                    "[ERROR CRI]: container runtime is not running",
                    "[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: "
                            + "/proc/sys/net/bridge/bridge-nf-call-iptables does not exist",
                    "[ERROR FileContent--proc-sys-net-ipv4-ip_forward]");
        }
    }

    @Test
    void swapOnlyWarnsInPreflightButTheKubeletRefusesIt() throws Exception {
        try (SimulatedFleet fleet = fleet(SimulatedFleet.Options.defaults()); TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            prepareDebian(script, ssh, "m1", K8S, DOCKER, "debian", "bookworm", true);
            ssh.put("m1", "/etc/fstab", "/dev/vda2 none swap sw 0 0\n");
            fleet.host("m1").powerOff();
            fleet.host("m1").powerOn(); // the swap line comes back at boot
            assertThat(fleet.host("m1").system().swap()).containsExactly("/dev/vda2");
            script.loadBalancer("m1", List.of("10.0.0.11"));
            writeInit(script, ssh, null);
            TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("[WARNING Swap]", "error execution phase wait-control-plane",
                    "running with swap on is not supported").doesNotContain("[ERROR");
        }
    }

    @Test
    void cgroupV1IsAPreflightErrorFrom135() throws Exception {
        try (SimulatedFleet fleet = fleet(SimulatedFleet.Options.defaults().withCgroupV1(true));
                TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            assertThat(script.ok("m1", "stat -fc %T /sys/fs/cgroup").out()).isEqualTo("tmpfs\n");
            prepareDebian(script, ssh, "m1", K8S, DOCKER, "debian", "bookworm", true);
            writeInit(script, ssh, null);
            TestSsh.Result r = ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(r.err()).contains("[ERROR SystemVerification]: cgroups v1 support is deprecated");
        }
    }

    @Test
    void preparedHostsFormAClusterThatIsReadyOnlyWithACni() throws Exception {
        try (SimulatedFleet fleet = fleet(SimulatedFleet.Options.defaults()); TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            prepareDebian(script, ssh, "m1", K8S, DOCKER, "debian", "bookworm", true);
            script.loadBalancer("m1", List.of("10.0.0.11"));
            writeInit(script, ssh, null);
            TestSsh.Result pull = script.ok("m1", "kubeadm config images pull --config "
                    + "/etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(pull.out()).contains("[config/images] Pulled registry.k8s.io/kube-apiserver:v1.37.0",
                    "[config/images] Pulled registry.k8s.io/coredns/coredns:");
            script.ok("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(fleet.node("m1").ready()).isEqualTo("False");
            String nodes = script.ok("m1", "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o json").out();
            assertThat(nodes).contains("\"message\" : \"" + Nodes.CNI_NOT_READY + "\"", "KubeletNotReady");
            String coredns = "kubectl --kubeconfig /etc/kubernetes/admin.conf get deployment coredns -n kube-system "
                    + "-o json";
            assertThat(script.ok("m1", coredns).out()).doesNotContain("readyReplicas");
            Path manifest = SimulatedFleet.cniManifest(dir);
            ssh.put("m1", "/etc/kubernetes/epiphany/cni.yaml", Files.readString(manifest));
            assertThat(script.ok("m1", "kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side "
                    + "--force-conflicts -f /etc/kubernetes/epiphany/cni.yaml").out())
                    .isEqualTo("daemonset.apps/sim-cni serverside-applied\n");
            assertThat(script.ok("m1", "kubectl --kubeconfig /etc/kubernetes/admin.conf get daemonsets -A -o json")
                    .out()).contains("\"namespace\" : \"kube-system\"", "\"path\" : \"/etc/cni/net.d\"");
            assertThat(fleet.node("m1").ready()).isEqualTo("True");
            assertThat(script.ok("m1", coredns).out()).contains("\"readyReplicas\" : 2");
            assertThat(fleet.host("m1").system().cniConfigFiles()).containsExactly("10-sim-cni.conflist");
            // a node joining later gets the config from the DaemonSet's pod too
            prepareDebian(script, ssh, "n1", K8S, DOCKER, "debian", "bookworm", false);
            script.loadBalancer("n1", List.of("10.0.0.11"));
            TestSsh.Result join = script.join("n1", "10.0.0.21", ClusterScript.TOKEN, script.caHash("m1"), false);
            assertThat(join.exit()).as(join.err()).isZero();
            assertThat(fleet.node("n1").ready()).isEqualTo("True");
            assertThat(fleet.host("n1").system().cniConfigFiles()).containsExactly("10-sim-cni.conflist");
            HostSystem n1 = fleet.host("n1").system();
            assertThat(n1.packages()).containsKeys("kubeadm", "kubelet", "cri-tools", "containerd.io")
                    .doesNotContainKey("kubectl");
            assertThat(n1.held()).containsExactlyInAnyOrder("kubeadm", "kubelet");
            assertThat(n1.containerd().servesCri()).isTrue();
            assertThat(n1.swap()).isEmpty();
            assertThat(n1.modules()).contains("overlay", "br_netfilter");
        }
    }

    @Test
    void aMirrorIsTheOnlySourceOfPackagesAndImagesWhenAirGapped() throws Exception {
        String mirror = "https://mirror.example/pkgs";
        String registry = "mirror.example:5000/k8s";
        SimulatedFleet.Options options = SimulatedFleet.Options.defaults().withOs("ubuntu", "24.04")
                .withAirGapped(true).withPackageMirror(mirror).withImageMirror(registry);
        try (SimulatedFleet fleet = fleet(options); TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            assertThat(ssh.run("m1", "curl -fsSL --max-time 60 -o /tmp/k " + K8S + "/v1.37/deb/Release.key").err())
                    .isEqualTo("curl: (6) Could not resolve host: pkgs.k8s.io\n");
            prepareDebian(script, ssh, "m1", mirror, mirror, "ubuntu", "noble", true,
                    io.epiphany.testkit.sim.HostSetup.READY_CONTAINERD_CONFIG);
            script.loadBalancer("m1", List.of("10.0.0.11"));
            writeInit(script, ssh, "registry.k8s.io");
            assertThat(ssh.run("m1", "kubeadm config images pull --config /etc/kubernetes/epiphany/kubeadm-init.yaml")
                    .err()).contains("dial tcp: lookup registry.k8s.io: no such host");
            writeInit(script, ssh, registry);
            // containerd's sandbox image still points at registry.k8s.io: the static pods cannot start
            assertThat(ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml").err())
                    .contains("[ERROR ImagePull]: failed to pull image \"registry.k8s.io/pause:3.10\"");
            ssh.put("m1", "/etc/containerd/config.toml", io.epiphany.testkit.sim.HostSetup.READY_CONTAINERD_CONFIG
                    + "\n[plugins.'io.containerd.cri.v1.images'.pinned_images]\n  sandbox = '" + registry
                    + "/pause:3.10.1'\n");
            script.ok("m1", "systemctl restart containerd");
            script.ok("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            assertThat(fleet.packageSources()).allMatch(u -> u.startsWith(mirror + "/")).isNotEmpty();
            assertThat(fleet.pulledImages()).allMatch(i -> i.startsWith(registry + "/"))
                    .contains(registry + "/kube-apiserver:v1.37.0", registry + "/coredns:v1.12.1");
        }
    }

    @Test
    void flannelWithANetworkThatMissesThePodSubnetLeavesNodesNotReady() throws Exception {
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")));
                TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            script.loadBalancer("m1", List.of("10.0.0.11"));
            script.sysctl("m1");
            writeInit(script, ssh, null);
            script.ok("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            String flannel = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-flannel\n---\n"
                    + "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: kube-flannel-cfg\n  namespace: kube-flannel\n"
                    + "data:\n  net-conf.json: |\n    {\"Network\": \"10.96.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}\n"
                    + "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kube-flannel-ds\n"
                    + "  namespace: kube-flannel\nspec:\n  template:\n    spec:\n      volumes:\n      - name: cni\n"
                    + "        hostPath:\n          path: /etc/cni/net.d\n";
            ssh.put("m1", "/root/flannel.yaml", flannel);
            String apply = "kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side --force-conflicts -f "
                    + "/root/flannel.yaml";
            assertThat(script.ok("m1", apply).out()).contains("namespace/kube-flannel serverside-applied",
                    "configmap/kube-flannel-cfg serverside-applied", "daemonset.apps/kube-flannel-ds serverside-applied");
            assertThat(fleet.node("m1").ready()).isEqualTo("False");
            assertThat(fleet.host("m1").system().cniConfigFiles()).isEmpty();
            ssh.put("m1", "/root/flannel.yaml", flannel.replace("10.96.0.0/16", "10.244.0.0/16"));
            script.ok("m1", apply);
            assertThat(fleet.node("m1").ready()).isEqualTo("True");
            assertThat(fleet.host("m1").system().cniConfigFiles()).containsExactly("10-kube-flannel-ds.conflist");
        }
    }

    @Test
    void aRockyHostIsPreparedWithDnfAndTheExcludeLine() throws Exception {
        try (SimulatedFleet fleet = fleet(SimulatedFleet.Options.defaults().withOs("rocky", "9.4"));
                TestSsh ssh = new TestSsh(fleet)) {
            ClusterScript script = new ClusterScript(fleet, ssh);
            assertThat(script.ok("m1", "cat /etc/os-release").out()).contains("ID=\"rocky\"", "VERSION_ID=\"9.4\"");
            script.ok("m1", "swapoff -a && modprobe overlay && modprobe br_netfilter");
            ssh.put("m1", "/etc/fstab", "/dev/vda1 / xfs defaults 0 0\n#epiphany: /dev/vda2 none swap sw 0 0\n");
            script.ok("m1", "mkdir -p /etc/sysctl.d /etc/containerd");
            ssh.put("m1", "/etc/sysctl.d/99-epiphany-kubernetes.conf", "net.bridge.bridge-nf-call-iptables = 1\n"
                    + "net.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n");
            script.ok("m1", "sysctl -p /etc/sysctl.d/99-epiphany-kubernetes.conf");
            ssh.put("m1", "/etc/yum.repos.d/kubernetes.repo", "[kubernetes]\nname=Kubernetes\nbaseurl=" + K8S
                    + "/v1.37/rpm/\nenabled=1\ngpgcheck=1\ngpgkey=" + K8S + "/v1.37/rpm/repodata/repomd.xml.key\n"
                    + "exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n");
            ssh.put("m1", "/etc/yum.repos.d/docker-ce.repo", "[docker-ce-stable]\nname=Docker CE Stable\nbaseurl="
                    + DOCKER + "/rhel/$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\ngpgkey=" + DOCKER
                    + "/rhel/gpg\n");
            assertThat(ssh.run("m1", "dnf install -y kubeadm-1.37.0").err())
                    .contains("Error: Unable to find a match: kubeadm-1.37.0");
            script.ok("m1", "dnf install -y --disableexcludes=kubernetes kubeadm-1.37.0 kubelet-1.37.0 kubectl-1.37.0");
            script.ok("m1", "dnf install -y containerd.io");
            assertThat(fleet.host("m1").system().containerd().running()).isFalse(); // the rpm does not start it
            ssh.put("m1", "/etc/containerd/config.toml", io.epiphany.testkit.sim.HostSetup.READY_CONTAINERD_CONFIG);
            script.ok("m1", "systemctl enable --now containerd && systemctl enable kubelet");
            script.ok("m1", "mkdir -p /etc/haproxy");
            ssh.put("m1", "/etc/haproxy/haproxy.cfg", ClusterScript.haproxyConfig(List.of("10.0.0.11")));
            script.ok("m1", "dnf install -y haproxy socat && systemctl enable --now haproxy");
            writeInit(script, ssh, null);
            script.ok("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
            script.cni("m1");
            assertThat(fleet.node("m1").ready()).isEqualTo("True");
            assertThat(fleet.host("m1").system().packages().get("kubeadm"))
                    .isEqualTo(new HostSystem.Package("1.37.0-150500.1.1", K8S + "/v1.37/rpm/"));
            fleet.host("m1").powerOff();
            fleet.host("m1").powerOn(); // nothing comes back that was switched off for good
            assertThat(fleet.host("m1").system().swap()).isEmpty();
            assertThat(fleet.host("m1").system().sysctls()).containsEntry("net.ipv4.ip_forward", "1");
        }
    }
}
