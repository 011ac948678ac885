package io.epiphany.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SIMULATED bare host (issue 11): swap, kernel modules, sysctls, cgroup, repositories and packages. */
class BareHostTest {
    private static final String K8S_KEY = "/etc/apt/keyrings/kubernetes-apt-keyring.asc";

    @TempDir
    Path dir;

    private OsHarness bare(String id, String version) throws IOException {
        OsHarness os = new OsHarness(dir);
        os.store.update(s -> {
            SimulationState.Host h = new SimulationState.Host();
            h.ip = "10.0.0.1";
            HostSetup.prepare(h, id, version, true, false);
            s.hosts.put("h1", h);
            return null;
        });
        HostSetup.writeFiles(os.host.host(h -> h), os.host.files(), true);
        return os;
    }

    @Test
    void bareHostHasSwapNoModulesAndNoKubernetes() throws IOException {
        OsHarness os = bare("debian", "12");
        assertThat(os.run("swapon --show=NAME --noheadings").out()).isEqualTo("/dev/vda2\n");
        assertThat(os.run("cat /etc/fstab").out()).contains("/dev/vda2\tnone\tswap\tsw");
        assertThat(os.run("lsmod").out()).isEqualTo("Module                  Size  Used by\n");
        assertThat(os.run("cat /etc/os-release").out()).contains("ID=debian", "VERSION_CODENAME=bookworm");
        for (String missing : new String[] {"kubeadm", "kubelet", "kubectl", "crictl", "containerd"}) {
            assertThat(os.run("command -v " + missing).exit()).as(missing).isEqualTo(1);
        }
        OsHarness.Result r = os.run("sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables "
                + "net.bridge.bridge-nf-call-ip6tables");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.out()).isEqualTo("net.ipv4.ip_forward = 0\n");
        assertThat(r.err()).contains("sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file "
                + "or directory");
        assertThat(os.run("stat -fc %T /sys/fs/cgroup").out()).isEqualTo("cgroup2fs\n");
    }

    @Test
    void swapoffModprobeAndSysctlPrepareTheKernel() throws IOException {
        OsHarness os = bare("ubuntu", "24.04");
        assertThat(os.run("swapoff -a").exit()).isZero();
        assertThat(os.run("swapon --show=NAME --noheadings").out()).isEmpty();
        OsHarness.Result unknown = os.run("modprobe nf_conntrack_bogus");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("modprobe: FATAL: Module nf_conntrack_bogus not found in directory "
                + "/lib/modules/6.1.0-SIMULATED-amd64\n");
        assertThat(os.run("modprobe overlay && modprobe br_netfilter").exit()).isZero();
        assertThat(os.run("lsmod").out()).contains("overlay", "br_netfilter", "bridge");
        assertThat(os.run("sysctl net.bridge.bridge-nf-call-iptables").out())
                .isEqualTo("net.bridge.bridge-nf-call-iptables = 0\n");
        os.host.files().write("/etc/sysctl.d/99-epiphany-kubernetes.conf", "net.bridge.bridge-nf-call-iptables = 1\n"
                + "net.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n", 0644);
        assertThat(os.run("sysctl -p /etc/sysctl.d/99-epiphany-kubernetes.conf").exit()).isZero();
        assertThat(os.run("sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables").out())
                .isEqualTo("1\n1\n");
    }

    @Test
    void bridgeKeysCannotBeSetWithoutTheModule() throws IOException {
        OsHarness os = bare("debian", "12");
        os.host.files().write("/etc/sysctl.d/k.conf", "net.bridge.bridge-nf-call-iptables = 1\n", 0644);
        OsHarness.Result r = os.run("sysctl -p /etc/sysctl.d/k.conf");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables");
    }

    @Test
    void aptNeedsTheKeyAndAnUpdateBeforeItKnowsTheRepository() throws IOException {
        OsHarness os = bare("debian", "12");
        os.host.files().write("/etc/apt/sources.list.d/kubernetes.list", "deb [signed-by=" + K8S_KEY + "] "
                + "https://pkgs.k8s.io/core:/stable:/v1.37/deb/ /\n", 0644);
        assertThat(os.run("apt-get install -y kubeadm=1.37.0-1.1").err())
                .contains("E: Unable to locate package kubeadm");
        OsHarness.Result unsigned = os.run("env DEBIAN_FRONTEND=noninteractive apt-get update");
        assertThat(unsigned.exit()).isEqualTo(100);
        assertThat(unsigned.err()).contains("NO_PUBKEY 234654DA9A296436",
                "E: The repository 'https://pkgs.k8s.io/core:/stable:/v1.37/deb /' InRelease' is not signed.".replace(
                        "/' InRelease", "/ InRelease"));
        assertThat(os.run("mkdir -p /etc/apt/keyrings && curl -fsSL --max-time 60 -o " + K8S_KEY
                + " https://pkgs.k8s.io/core:/stable:/v1.37/deb/Release.key").exit()).isZero();
        assertThat(os.run("apt-get update").exit()).isZero();
        OsHarness.Result wrong = os.run("apt-get install -y kubeadm=1.37.99-1.1");
        assertThat(wrong.exit()).isEqualTo(100);
        assertThat(wrong.err()).contains("E: Version '1.37.99-1.1' for 'kubeadm' was not found");
        assertThat(os.run("apt-get install -y kubeadm=1.36.0-1.1").err())
                .contains("E: Version '1.36.0-1.1' for 'kubeadm' was not found");
        assertThat(os.run("apt-get install -y --allow-change-held-packages kubeadm=1.37.0-1.1 kubelet=1.37.0-1.1 "
                + "kubectl=1.37.0-1.1").exit()).isZero();
        assertThat(os.run("kubeadm version -o short").out()).isEqualTo("v1.37.0\n");
        assertThat(os.run("command -v crictl").exit()).isZero();
        SimulationState.Host h = os.host.host(x -> x);
        assertThat(h.packages.get("kubeadm").repository).isEqualTo("https://pkgs.k8s.io/core:/stable:/v1.37/deb/");
        assertThat(h.packages).containsKeys("cri-tools", "kubelet", "kubectl");
        assertThat(os.run("systemctl is-enabled kubelet").out()).isEqualTo("enabled\n");
        assertThat(os.run("apt-mark hold kubeadm kubelet kubectl").out()).contains("kubeadm set on hold.");
        assertThat(os.run("apt-mark showhold").out()).isEqualTo("kubeadm\nkubectl\nkubelet\n");
        OsHarness.Result held = os.run("apt-get install -y kubeadm=1.37.1-1.1");
        assertThat(held.exit()).isEqualTo(100);
        assertThat(held.err()).contains("E: Held packages were changed and -y was used without "
                + "--allow-change-held-packages.");
        assertThat(os.run("apt-get install -y --allow-change-held-packages kubeadm=1.37.1-1.1").exit()).isZero();
        assertThat(os.run("kubeadm version -o short").out()).isEqualTo("v1.37.1\n");
        assertThat(os.run("kubelet --version").out()).isEqualTo("Kubernetes v1.37.0\n");
    }

    @Test
    void anUnknownHostDoesNotResolveAndNothingIsDialled() throws IOException {
        OsHarness os = bare("debian", "12");
        OsHarness.Result r = os.run("curl -fsSL --max-time 60 -o /tmp/x https://example.invalid/key");
        assertThat(r.exit()).isEqualTo(6);
        assertThat(r.err()).isEqualTo("curl: (6) Could not resolve host: example.invalid\n");
        os.host.files().write("/root/cni.yaml", "kind: X\n", 0644);
        assertThat(os.run("curl -fsSL --max-time 120 -o /tmp/y file:///root/cni.yaml").exit()).isZero();
        assertThat(os.run("cat /tmp/y").out()).isEqualTo("kind: X\n");
        assertThat(os.run("curl -fsSL -o /tmp/z https://pkgs.k8s.io/core:/stable:/v1.38/deb/Release.key").exit())
                .isEqualTo(22);
    }

    @Test
    void dockersContainerdDoesNotServeTheCriUntilReconfigured() throws IOException {
        OsHarness os = bare("ubuntu", "24.04");
        os.run("mkdir -p /etc/apt/keyrings");
        assertThat(os.run("curl -fsSL --max-time 60 -o /etc/apt/keyrings/docker.asc "
                + "https://download.docker.com/linux/ubuntu/gpg").exit()).isZero();
        os.host.files().write("/etc/apt/sources.list.d/docker.list", "deb [signed-by=/etc/apt/keyrings/docker.asc] "
                + "https://download.docker.com/linux/ubuntu noble stable\n", 0644);
        assertThat(os.run("apt-get update").exit()).isZero();
        assertThat(os.run("apt-get install -y containerd.io").exit()).isZero();
        assertThat(os.run("containerd --version").out()).startsWith("containerd containerd.io 2.1.4 ");
        assertThat(os.run("cat /etc/containerd/config.toml").out()).contains("disabled_plugins = [\"cri\"]");
        SimulationState.Host h = os.host.host(x -> x);
        assertThat(h.active).contains("containerd");
        assertThat(h.containerdCri).isFalse();
        os.host.files().write("/etc/containerd/config.toml", HostSetup.READY_CONTAINERD_CONFIG, 0644);
        assertThat(os.run("systemctl restart containerd").exit()).isZero();
        boolean cri = os.host.host(x -> x.containerdCri);
        assertThat(cri).isTrue();
    }

    @Test
    void dnfHonoursTheExcludeLineUnlessDisabled() throws IOException {
        OsHarness os = bare("rocky", "9.4");
        os.host.files().write("/etc/yum.repos.d/kubernetes.repo", "[kubernetes]\nname=Kubernetes\n"
                + "baseurl=https://pkgs.k8s.io/core:/stable:/v1.37/rpm/\nenabled=1\ngpgcheck=1\n"
                + "gpgkey=https://pkgs.k8s.io/core:/stable:/v1.37/rpm/repodata/repomd.xml.key\n"
                + "exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n", 0644);
        OsHarness.Result hidden = os.run("dnf install -y kubeadm-1.37.0");
        assertThat(hidden.exit()).isEqualTo(1);
        assertThat(hidden.err()).contains("Error: Unable to find a match: kubeadm-1.37.0");
        assertThat(os.run("dnf install -y --disableexcludes=kubernetes kubeadm-1.37.0 kubelet-1.37.0 kubectl-1.37.0")
                .exit()).isZero();
        assertThat(os.run("kubeadm version -o short").out()).isEqualTo("v1.37.0\n");
        String version = os.host.host(x -> x.packages.get("kubeadm").version);
        assertThat(version).isEqualTo("1.37.0-150500.1.1");
        assertThat(os.run("systemctl is-enabled kubelet").exit()).isEqualTo(1);
    }

    @Test
    void rebootBringsBackWhatWasNotPersisted() throws IOException {
        OsHarness os = bare("debian", "12");
        os.run("swapoff -a && modprobe br_netfilter");
        os.store.update(s -> {
            try {
                HostSetup.boot(s.hosts.get("h1"), os.host.files());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
        assertThat(os.run("swapon --show=NAME --noheadings").out()).isEqualTo("/dev/vda2\n");
        assertThat(os.run("lsmod").out()).doesNotContain("br_netfilter");
    }
}
