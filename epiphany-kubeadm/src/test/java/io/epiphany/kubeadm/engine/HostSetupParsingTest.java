package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cni;
import io.epiphany.api.remote.CommandResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The host-preparation facts parsed from what real hosts print, and the CNI manifests' pod CIDR rules. */
class HostSetupParsingTest {
    private static CommandResult result(int exit, String out) {
        return new CommandResult("h", "c", exit, out, "");
    }

    @Test
    void osReleaseOfTheSupportedFamiliesAndOthers() {
        assertThat(OsFamily.of(OsFamily.parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
                + "VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"))).contains(OsFamily.DEBIAN);
        assertThat(OsFamily.of(OsFamily.parse("ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n")))
                .contains(OsFamily.UBUNTU);
        assertThat(OsFamily.of(OsFamily.parse("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n")))
                .contains(OsFamily.RHEL);
        assertThat(OsFamily.of(OsFamily.parse("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.9\"\n")))
                .isEmpty();
        assertThat(OsFamily.of(OsFamily.parse("ID=debian\nVERSION_ID=\"11\"\n"))).isEmpty();
        assertThat(OsFamily.of(OsFamily.parse("ID=alpine\nVERSION_ID=3.20.0\n"))).isEmpty();
    }

    @Test
    void sysctlKeysThatDoNotExistAreLeftOut() {
        // procps sysctl with br_netfilter not loaded: the bridge keys go to stderr and the exit is 255
        Map<String, String> v = SetupFactsReader.sysctls(result(255, "net.ipv4.ip_forward = 0\n"));
        assertThat(v).containsExactly(Map.entry("net.ipv4.ip_forward", "0"));
        assertThat(SetupFactsReader.sysctls(result(0, "net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\n"
                + "net.bridge.bridge-nf-call-ip6tables = 1\n"))).hasSize(3);
    }

    @Test
    void lsmodHeaderIsSkippedAndOnlyTheNeededModulesCount() {
        assertThat(SetupFactsReader.modules(result(0, "Module                  Size  Used by\noverlay 151552 0\n"
                + "br_netfilter 32768 0\nbridge 311296 1 br_netfilter\n"))).containsExactlyInAnyOrder("overlay",
                        "br_netfilter");
        assertThat(SetupFactsReader.modules(result(0, "Module Size Used by\nbridge 1 0\n"))).isEmpty();
    }

    @Test
    void containerdVersionsOfDockersPackageAndUpstream() {
        assertThat(SetupFactsReader.containerdVersion(result(0, "containerd containerd.io 2.1.4 75cb2b7\n")))
                .contains("2.1.4");
        assertThat(SetupFactsReader.containerdVersion(result(0,
                "containerd github.com/containerd/containerd/v2 v2.0.5 fb4c30d\n"))).contains("2.0.5");
        assertThat(SetupFactsReader.containerdVersion(result(127, ""))).isEmpty();
        SetupFacts old = new SetupFacts(Optional.empty(), "x", "", true, java.util.List.of(), Optional.empty(),
                java.util.Set.of(), Map.of(), "cgroup2fs", Optional.of("1.7.27"), Optional.empty(), java.util.Set.of(),
                java.util.Set.of(), Map.of());
        assertThat(old.containerdCurrent()).isFalse();
    }

    @Test
    void thePauseImageIsTakenFromKubeadmsList() {
        assertThat(SetupFactsReader.sandboxImage(result(0, "registry.k8s.io/kube-apiserver:v1.37.0\n"
                + "registry.k8s.io/coredns/coredns:v1.13.1\nregistry.k8s.io/pause:3.10.1\nregistry.k8s.io/etcd:3.6.6-0\n")))
                .contains("registry.k8s.io/pause:3.10.1");
    }

    @Test
    void fstabSwapLinesAreCommentedOutAndNothingElse() {
        String fstab = "UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n# /old none swap sw 0 0\n";
        assertThat(KernelPhase.withoutSwap(fstab)).isEqualTo("UUID=1 / ext4 defaults 0 1\n#epiphany: /swap.img none "
                + "swap sw 0 0\n# /old none swap sw 0 0\n");
    }

    @Test
    void flannelsNetworkIsSetToThePodSubnet() {
        String m = "net-conf.json: |\n    {\n      \"Network\": \"10.244.0.0/16\",\n      \"Backend\": {}\n    }\n";
        assertThat(CniManifests.forCluster(Cni.flannel(), m, "10.32.0.0/16")).contains("\"Network\": \"10.32.0.0/16\"")
                .doesNotContain("10.244.0.0/16");
    }

    @Test
    void aManifestWhosePoolDiffersFromThePodSubnetIsRefused() {
        Cni mine = Cni.manifest(Path.of("cni.yaml"));
        String calico = "        env:\n            - name: CALICO_IPV4POOL_CIDR\n              value: \"192.168.0.0/16\"\n";
        assertThatThrownBy(() -> CniManifests.forCluster(mine, calico, "10.244.0.0/16"))
                .hasMessageContaining("192.168.0.0/16").hasMessageContaining("networking.podSubnet 10.244.0.0/16");
        String commented = "            # - name: CALICO_IPV4POOL_CIDR\n            #   value: \"192.168.0.0/16\"\n";
        assertThat(CniManifests.forCluster(Cni.calico(), commented, "10.244.0.0/16")).isEqualTo(commented);
        assertThat(CniManifests.forCluster(mine, calico, "192.168.0.0/16")).isEqualTo(calico);
    }
}
