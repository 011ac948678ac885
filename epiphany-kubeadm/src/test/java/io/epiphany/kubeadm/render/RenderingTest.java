package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApiServer;
import io.epiphany.api.Audit;
import io.epiphany.api.Cluster;
import io.epiphany.api.Encryption;
import io.epiphany.api.HostFile;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import io.epiphany.haproxy.HaproxyConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RenderingTest {
    static final Cluster SEED = Fixtures.seed();

    static Rendering render(Cluster cluster) {
        return HostFiles.render(cluster, Fixtures.context(cluster));
    }

    static String init(Cluster cluster) {
        return InitConfig.render(cluster, Fixtures.context(cluster));
    }

    static String join(Cluster cluster, String host) {
        return JoinConfig.render(cluster, Fixtures.machine(cluster, host), Fixtures.context(cluster));
    }

    @Test
    void filesPerRoleInTheOrderTheyAreWritten() {
        Rendering r = render(SEED);
        assertThat(r.hosts()).containsExactlyInAnyOrder("k1m1", "k1m2", "k1m3", "k1c1", "k1c2");
        assertThat(r.files("k1m1")).extracting(HostFile::path).containsExactly(HaproxyConfig.PATH,
                "/etc/kubernetes/enc/encryption-config.yaml", "/etc/kubernetes/audit/policy.yaml", InitConfig.PATH);
        assertThat(r.files("k1m3")).extracting(HostFile::path).containsExactly(HaproxyConfig.PATH,
                "/etc/kubernetes/enc/encryption-config.yaml", "/etc/kubernetes/audit/policy.yaml", JoinConfig.PATH);
        assertThat(r.files("k1c2")).extracting(HostFile::path).containsExactly(HaproxyConfig.PATH, JoinConfig.PATH);
        assertThat(r.file("k1c1", HaproxyConfig.PATH).content()).isEqualTo(r.file("k1m2", HaproxyConfig.PATH).content());
    }

    @Test
    void filesWithSecretsAreSecretAndPrivate() {
        Rendering r = render(SEED);
        for (String host : List.of("k1m1", "k1m2", "k1c1")) {
            for (HostFile f : r.files(host)) {
                boolean holdsSecret = f.content().contains(Fixtures.TOKEN.reveal()) || f.content().contains(Fixtures.KEY.reveal());
                assertThat(f.isSecret()).as(host + f.path()).isEqualTo(holdsSecret);
                assertThat(f.mode()).as(host + f.path()).isEqualTo(holdsSecret ? 0600 : 0644);
            }
        }
    }

    @Test
    void secretsNeverShowInToString() {
        Rendering r = render(SEED);
        RenderContext context = Fixtures.context(SEED).withCaCertHash(Fixtures.caHash());
        for (String text : List.of(r.toString(), r.files("k1m1").toString(), r.files("k1c1").get(1).toString(),
                context.toString(), SEED.toString(), SEED.secrets().toString())) {
            assertThat(text).doesNotContain(Fixtures.TOKEN.reveal()).doesNotContain("0123456789abcdef")
                    .doesNotContain(Fixtures.KEY.reveal());
        }
        assertThat(r.file("k1m1", InitConfig.PATH).content()).contains(Fixtures.TOKEN.reveal()); // the test can fail
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.35.0", "1.36.3", "1.37.0"})
    void v1beta4WithListShapedFlagsForEverySupportedMinor(String version) {
        Cluster cluster = SEED.toBuilder().kubernetesVersion(version).build();
        for (String text : List.of(init(cluster), join(cluster, "k1m2"), join(cluster, "k1c1"))) {
            assertThat(text).contains("kubeadm.k8s.io/v1beta4").doesNotContain("v1beta3");
        }
        assertThat(init(cluster)).contains("kubernetesVersion: \"v" + version + "\"",
                "  - name: \"node-ip\"\n    value: \"10.10.1.148\"", "  - name: \"audit-log-maxage\"\n    value: \"30\"");
        assertThat(join(cluster, "k1c1")).contains("  - name: \"node-ip\"\n    value: \"10.10.1.208\"");
    }

    @Test
    void noReleaseBeforeV1beta4ReachesTheRenderer() {
        assertThatThrownBy(() -> KubeadmApi.of(KubernetesVersion.of("1.30.9"))).hasMessageContaining("v1.30.9")
                .hasMessageContaining("v1beta4").hasMessageContaining("1.35.x to 1.37.x");
        assertThat(KubeadmApi.of(KubernetesVersion.of("1.31.0"))).isEqualTo(KubeadmApi.V1BETA4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.35.0", "1.36.0", "1.37.0"})
    void noFeatureGateOnAnySupportedMinorTheMastersKubeletsTalkToTheirOwnApiServerByDefault(String version) {
        // ControlPlaneKubeletLocalMode is GA (locked on) in 1.35 and removed in 1.36: kubeadm's own behaviour.
        assertThat(init(SEED.toBuilder().kubernetesVersion(version).build())).doesNotContain("featureGates")
                .doesNotContain("ControlPlaneKubeletLocalMode").doesNotContain("NodeLocalCRISocket");
    }

    @Test
    void endpointAndSansAndDiscovery() {
        String init = init(SEED);
        assertThat(init).contains("controlPlaneEndpoint: \"localhost:3446\"",
                "  certSANs:\n  - \"localhost\"\n  - \"127.0.0.1\"\n  - \"10.10.1.148\"\n  - \"10.10.2.129\"\n  - \"10.10.3.16\"\n",
                "- token: \"abcdef.0123456789abcdef\"", "ttl: \"2h0m0s\"", "dataDir: \"/var/lib/etcd\"",
                "clusterName: \"k8s1\"", "cgroupDriver: \"systemd\"", "advertiseAddress: \"10.10.1.148\"");
        assertThat(join(SEED, "k1m2")).contains("apiServerEndpoint: \"localhost:3446\"",
                "controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: \"10.10.2.129\"\n    bindPort: 6443",
                "- \"" + RenderContext.CA_CERT_HASH_PLACEHOLDER + "\"").doesNotContain("certificateKey");
        assertThat(join(SEED, "k1c1")).doesNotContain("controlPlane").contains("name: \"k1c1\"");
        String withHash = JoinConfig.render(SEED, Fixtures.machine(SEED, "k1c1"),
                Fixtures.context(SEED).withCaCertHash(Fixtures.caHash()));
        assertThat(withHash).contains("- \"" + Fixtures.caHash() + "\"").doesNotContain("<hash");
    }

    @Test
    void externalLoadBalancerReplacesTheEndpointAndDropsHaproxy() {
        Cluster ext = SEED.toBuilder().loadBalancer(LoadBalancer.external("api.k8s1.example:6443")).build();
        Rendering r = render(ext);
        for (String host : List.of("k1m1", "k1m2", "k1m3", "k1c1", "k1c2")) {
            assertThat(r.files(host)).extracting(HostFile::path).doesNotContain(HaproxyConfig.PATH);
            for (HostFile f : r.files(host)) {
                assertThat(f.content()).doesNotContain("localhost:3446").doesNotContain("3446");
            }
        }
        assertThat(r.file("k1m1", InitConfig.PATH).content()).contains("controlPlaneEndpoint: \"api.k8s1.example:6443\"");
        assertThat(r.file("k1c2", JoinConfig.PATH).content()).contains("apiServerEndpoint: \"api.k8s1.example:6443\"");
    }

    @Test
    void taintsAreNeverAnEmptyListAndMastersKeepTheControlPlaneTaint() {
        Rendering plain = render(SEED);
        for (String host : List.of("k1m1", "k1m2", "k1c1")) {
            String kubeadm = plain.files(host).get(plain.files(host).size() - 1).content();
            assertThat(kubeadm).doesNotContain("taints");
        }
        Cluster tainted = SEED.toBuilder()
                .masters(SEED.masters().get(0).withTaint("dedicated=infra:NoExecute"), SEED.masters().get(1),
                        SEED.masters().get(2))
                .nodes(SEED.nodes().get(0).withTaint("gpu:NoSchedule"), SEED.nodes().get(1)).build();
        assertThat(init(tainted)).contains("  taints:\n"
                + "  - key: \"node-role.kubernetes.io/control-plane\"\n    effect: \"NoSchedule\"\n"
                + "  - key: \"dedicated\"\n    value: \"infra\"\n    effect: \"NoExecute\"\n");
        assertThat(join(tainted, "k1c1")).contains("  taints:\n  - key: \"gpu\"\n    effect: \"NoSchedule\"\n")
                .doesNotContain("control-plane");
        assertThat(join(tainted, "k1c2")).doesNotContain("taints");
        for (String text : List.of(init(tainted), join(tainted, "k1c1"), join(tainted, "k1m2"))) {
            assertThat(text).doesNotContain("[]");
        }
    }

    @Test
    void ipv6MasterGetsBracketsInHaproxyAndPlainAddressesInKubeadm() {
        Cluster v6 = Cluster.builder().name("six").masters(Machine.of("m6", "fd00:10::5"))
                .nodes(Machine.of("n6", "fd00:10::9")).encryption(Encryption.builder().key(Fixtures.KEY).build()).build();
        Rendering r = render(v6);
        assertThat(r.file("n6", HaproxyConfig.PATH).content()).contains("server m6 [fd00:10::5]:6443");
        assertThat(r.file("m6", InitConfig.PATH).content()).contains("advertiseAddress: \"fd00:10::5\"",
                "  - \"fd00:10::5\"", "value: \"fd00:10::5\"");
        assertThat(r.file("n6", JoinConfig.PATH).content()).contains("value: \"fd00:10::9\"");
    }

    @Test
    void userFlagsWinOverTheSdksAndKeepTheirPlace() {
        Cluster custom = SEED.toBuilder()
                .apiServer(ApiServer.builder().profiling(true).putExtraArg("audit-log-maxage", "7")
                        .allowOverride("audit-log-maxage").putExtraArg("request-timeout", "90s").build())
                .putControllerManagerExtraArg("terminated-pod-gc-threshold", "50").build();
        String init = init(custom);
        assertThat(init).contains("  - name: \"profiling\"\n    value: \"true\"",
                "  - name: \"audit-log-maxage\"\n    value: \"7\"\n  - name: \"audit-log-maxbackup\"",
                "  - name: \"request-timeout\"\n    value: \"90s\"\n  extraVolumes",
                "  - name: \"terminated-pod-gc-threshold\"\n    value: \"50\"")
                .doesNotContain("value: \"30\"")
                .doesNotContain("terminated-pod-gc-threshold\"\n    value: \"200\"");
        assertThat(init.split("name: \"audit-log-maxage\"", -1)).hasSize(2);
    }

    @Test
    void encryptionAndAuditOffLeaveNoFileFlagOrVolume() {
        Cluster off = SEED.toBuilder().encryption(Encryption.disabled())
                .apiServer(ApiServer.builder().audit(Audit.disabled()).build()).build();
        Rendering r = render(off);
        assertThat(r.files("k1m1")).extracting(HostFile::path).containsExactly(HaproxyConfig.PATH, InitConfig.PATH);
        assertThat(r.file("k1m1", InitConfig.PATH).content()).doesNotContain("encryption-provider-config")
                .doesNotContain("audit").doesNotContain("extraVolumes");
        assertThatThrownBy(() -> EncryptionConfig.render(off, Fixtures.KEY)).hasMessageContaining("k8s1")
                .hasMessageContaining("encryption");
        assertThatThrownBy(() -> AuditPolicy.render(off)).hasMessageContaining("audit logging off");
    }

    @Test
    void aescbcProviderComesFirstIdentityLast() {
        Cluster aes = SEED.toBuilder().encryption(Encryption.builder().provider(Encryption.Provider.AESCBC)
                .key(Fixtures.KEY).build()).build();
        String enc = EncryptionConfig.render(aes, Fixtures.KEY);
        assertThat(enc).contains("  providers:\n  - aescbc:\n      keys:\n      - name: \"key1\"\n        secret: \""
                + Fixtures.KEY.reveal() + "\"\n  - identity: {}\n").doesNotContain("secretbox");
        assertThat(enc.strip()).endsWith("- identity: {}");
    }

    @Test
    void sharedDirectoriesAreMountedOnceAndWritableWhenAnyUseWrites() {
        Cluster shared = SEED.toBuilder().apiServer(ApiServer.builder().audit(Audit.builder()
                .policyFile("/etc/kubernetes/audit/policy.yaml").logPath("/etc/kubernetes/audit/audit.log").build())
                .build()).build();
        assertThat(ClusterConfiguration.apiServerVolumes(shared)).extracting(v -> v.get("name") + ":" + v.get("readOnly"))
                .containsExactly("encryption-config:true", "audit-policy:false");
    }

    @Test
    void joinRefusesTheFirstMasterAndStrangers() {
        assertThatThrownBy(() -> join(SEED, "k1m1")).hasMessageContaining("k1m1").hasMessageContaining("kubeadm init");
        assertThatThrownBy(() -> JoinConfig.render(SEED, Machine.of("ghost", "10.1.1.1"), Fixtures.context(SEED)))
                .hasMessageContaining("ghost").hasMessageContaining("k8s1");
    }

    @Test
    void caHashMustLookLikeOne() {
        assertThatThrownBy(() -> Fixtures.context(SEED).withCaCertHash("sha256:XYZ"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256:XYZ");
        assertThatThrownBy(() -> Fixtures.context(SEED).withCaCertHash(RenderContext.CA_CERT_HASH_PLACEHOLDER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void renderingIsAPureFunction() {
        assertThat(render(SEED).files("k1m2")).isEqualTo(render(Fixtures.seed()).files("k1m2"));
    }
}
