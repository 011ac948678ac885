package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.api.Machine;
import io.epiphany.testkit.sim.kube.Pki;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The stored ClusterConfiguration, the static pod manifests' flags and kubeadm's "reconfiguring a kubeadm cluster"
 * phases (upload-config, control-plane, certs apiserver) on the SIMULATED fleet.
 */
@Execution(ExecutionMode.CONCURRENT)
class ReconfigureTest {
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf";
    private static final String CONFIG = "/etc/kubernetes/epiphany/reconfigure.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private SimulatedFleet fleet;
    private TestSsh ssh;
    private ClusterScript script;

    @BeforeEach
    void start() throws Exception {
        fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")));
        ssh = new TestSsh(fleet);
        script = new ClusterScript(fleet, ssh);
        script.loadBalancer("m1", List.of("10.0.0.11"));
        script.sysctl("m1");
        script.ok("m1", "mkdir -p /etc/kubernetes/epiphany /etc/kubernetes/enc");
        ssh.put("m1", "/etc/kubernetes/enc/encryption-config.yaml", "kind: EncryptionConfiguration\n");
        ssh.put("m1", CONFIG, config("", "  - name: terminated-pod-gc-threshold\n    value: \"10\"\n"));
        script.ok("m1", "kubeadm init --config " + CONFIG);
    }

    @AfterEach
    void stop() {
        ssh.close();
        fleet.close();
    }

    /** An init config; {@code apiArgs} are more apiServer.extraArgs, {@code cmArgs} controllerManager's. */
    private static String config(String apiArgs, String cmArgs) {
        return "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: \""
                + ClusterScript.TOKEN + "\"\nlocalAPIEndpoint:\n  advertiseAddress: \"10.0.0.11\"\n"
                + "nodeRegistration:\n  name: \"m1\"\n---\napiVersion: kubeadm.k8s.io/v1beta4\n"
                + "kind: ClusterConfiguration\nkubernetesVersion: \"v1.37.0\"\nclusterName: \"sim\"\n"
                + "controlPlaneEndpoint: \"localhost:3446\"\nencryptionAlgorithm: ECDSA-P256\nnetworking:\n  podSubnet: 10.244.0.0/16\n"
                + "apiServer:\n  certSANs: [\"api.example.com\", \"10.9.9.9\"]\n  extraVolumes:\n"
                + "  - name: enc\n    hostPath: /etc/kubernetes/enc\n    mountPath: /etc/kubernetes/enc\n"
                + "    readOnly: true\n  - name: audit\n    hostPath: /etc/kubernetes/audit\n"
                + "    mountPath: /etc/kubernetes/audit\n    readOnly: true\n  extraArgs:\n"
                + "  - name: encryption-provider-config\n    value: /etc/kubernetes/enc/encryption-config.yaml\n"
                + "  - name: enable-admission-plugins\n    value: NodeRestriction,PodSecurity\n" + apiArgs
                + "controllerManager:\n  extraArgs:\n" + cmArgs
                + "scheduler:\n  extraArgs:\n  - name: bind-address\n    value: 0.0.0.0\n";
    }

    private List<String> command(String component) throws Exception {
        JsonNode pod = YAML.readTree(script.ok("m1", "cat /etc/kubernetes/manifests/" + component + ".yaml").out());
        List<String> out = new ArrayList<>();
        pod.path("spec").path("containers").get(0).path("command").forEach(c -> out.add(c.asText()));
        return out;
    }

    private JsonNode storedConfiguration() throws Exception {
        JsonNode cm = JSON.readTree(script.ok("m1", KUBECTL + " get configmap kubeadm-config -n kube-system -o json")
                .out());
        assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
        return YAML.readTree(cm.path("data").path("ClusterConfiguration").asText());
    }

    @Test
    void initStoresTheDefaultedClusterConfigurationAndTheManifestsCarryEveryFlag() throws Exception {
        JsonNode c = storedConfiguration();
        assertThat(c.path("apiVersion").asText()).isEqualTo("kubeadm.k8s.io/v1beta4");
        assertThat(c.path("clusterName").asText()).isEqualTo("sim");
        assertThat(c.path("kubernetesVersion").asText()).isEqualTo("v1.37.0");
        assertThat(c.path("controlPlaneEndpoint").asText()).isEqualTo("localhost:3446");
        assertThat(c.path("certificatesDir").asText()).isEqualTo("/etc/kubernetes/pki");
        assertThat(c.path("etcd").path("local").path("dataDir").asText()).isEqualTo("/var/lib/etcd");
        assertThat(c.path("networking").path("serviceSubnet").asText()).isEqualTo("10.96.0.0/12");
        assertThat(c.path("apiServer").path("certSANs").toString()).contains("api.example.com");
        assertThat(c.path("apiServer").path("extraArgs").get(0).path("name").asText())
                .isEqualTo("encryption-provider-config");
        assertThat(c.path("controllerManager").path("extraArgs").get(0).path("value").asText()).isEqualTo("10");
        TestSsh.Result other = ssh.run("m1", KUBECTL + " get configmap kubeadm-config -o json");
        assertThat(other.err()).contains("Error from server (NotFound): configmaps \"kubeadm-config\" not found");

        assertThat(command("kube-apiserver")).contains("kube-apiserver",
                "--encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml",
                "--enable-admission-plugins=NodeRestriction,PodSecurity", "--etcd-servers=https://127.0.0.1:2379")
                .doesNotContain("--enable-admission-plugins=NodeRestriction");
        assertThat(command("kube-controller-manager")).contains("--terminated-pod-gc-threshold=10",
                "--cluster-cidr=10.244.0.0/16", "--cluster-name=sim", "--kubeconfig=/etc/kubernetes/controller-manager.conf");
        assertThat(command("kube-scheduler")).contains("--bind-address=0.0.0.0")
                .doesNotContain("--bind-address=127.0.0.1");
    }

    @Test
    void v1beta3ExtraArgsAreStoredAsV1beta4Lists() throws Exception {
        script.ok("m1", "kubeadm reset -f");
        // kubeadm 1.35 is the last that reads v1beta3 (kubernetes-2026.md): a 1.36+ kubeadm refuses it
        fleet.host("m1").installVersions("v1.35.4", "v1.35.4", "v1.35.4");
        ssh.put("m1", CONFIG, "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n"
                + "kubernetesVersion: 1.35.4\nencryptionAlgorithm: ECDSA-P256\napiServer:\n  extraArgs:\n    profiling: \"false\"\n");
        script.ok("m1", "kubeadm init --config " + CONFIG);
        JsonNode c = storedConfiguration();
        assertThat(c.path("kubernetesVersion").asText()).isEqualTo("v1.35.4");
        assertThat(c.path("clusterName").asText()).isEqualTo("kubernetes");
        assertThat(c.path("apiServer").path("extraArgs").get(0).path("name").asText()).isEqualTo("profiling");
        assertThat(c.path("apiServer").path("extraArgs").get(0).path("value").asText()).isEqualTo("false");
    }

    @Test
    void uploadConfigAndControlPlanePhasesRollOutNewFlagsAndTheApiserverNeedsTheFilesTheyName() throws Exception {
        String audit = "  - name: audit-policy-file\n    value: /etc/kubernetes/audit/policy.yaml\n"
                + "  - name: audit-log-path\n    value: /var/log/kubernetes/audit.log\n";
        ssh.put("m1", CONFIG, config(audit, "  - name: terminated-pod-gc-threshold\n    value: \"20\"\n"));
        assertThat(script.ok("m1", "kubeadm init phase upload-config kubeadm --config " + CONFIG).out())
                .contains("[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\"");
        assertThat(storedConfiguration().path("apiServer").path("extraArgs").toString()).contains("audit-policy-file");
        assertThat(command("kube-apiserver")).noneMatch(f -> f.startsWith("--audit-policy-file"));

        TestSsh.Result phase = script.ok("m1", "kubeadm init phase control-plane apiserver --config " + CONFIG);
        assertThat(phase.out()).contains("[control-plane] Creating static Pod manifest for \"kube-apiserver\"");
        assertThat(command("kube-apiserver")).contains("--audit-policy-file=/etc/kubernetes/audit/policy.yaml",
                "--audit-log-path=/var/log/kubernetes/audit.log");
        assertThat(command("kube-controller-manager")).as("only the apiserver was asked for")
                .contains("--terminated-pod-gc-threshold=10");
        assertThat(ssh.run("m1", "curl -sk https://10.0.0.11:6443/readyz").exit())
                .as("the policy file is missing: the apiserver crash-loops").isEqualTo(7);

        script.ok("m1", "mkdir -p /etc/kubernetes/audit");
        ssh.put("m1", "/etc/kubernetes/audit/policy.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\n");
        script.ok("m1", "kubeadm init phase control-plane all --config " + CONFIG);
        assertThat(script.ok("m1", "curl -sk https://10.0.0.11:6443/readyz").out()).isEqualTo("ok");
        assertThat(command("kube-controller-manager")).contains("--terminated-pod-gc-threshold=20");

        TestSsh.Result unknown = ssh.run("m1", "kubeadm init phase control-plane etcd --config " + CONFIG);
        assertThat(unknown.exit()).isEqualTo(1);
    }

    @Test
    void certsPhaseKeepsAnExistingCertificateAndWritesANewOneWithTheCertSansOnceRemoved() throws Exception {
        String before = script.ok("m1", "sha256sum /etc/kubernetes/pki/apiserver.crt").out();
        TestSsh.Result kept = script.ok("m1", "kubeadm init phase certs apiserver --config " + CONFIG);
        assertThat(kept.out()).contains("[certs] Using existing apiserver certificate and key on disk");
        assertThat(script.ok("m1", "sha256sum /etc/kubernetes/pki/apiserver.crt").out()).isEqualTo(before);

        ssh.put("m1", CONFIG, config("", "").replace("\"10.9.9.9\"", "\"10.9.9.9\", \"api2.example.com\""));
        script.ok("m1", "rm -f /etc/kubernetes/pki/apiserver.crt /etc/kubernetes/pki/apiserver.key");
        TestSsh.Result fresh = script.ok("m1", "kubeadm init phase certs apiserver --config " + CONFIG);
        assertThat(fresh.out()).contains("[certs] Generating \"apiserver\" certificate and key",
                "api2.example.com", "10.9.9.9");
        X509Certificate ca = Pki.readCertificate(script.ok("m1", "cat /etc/kubernetes/pki/ca.crt").out());
        X509Certificate api = Pki.readCertificate(script.ok("m1", "cat /etc/kubernetes/pki/apiserver.crt").out());
        api.verify(ca.getPublicKey());
        List<String> sans = new ArrayList<>();
        api.getSubjectAlternativeNames().forEach(san -> sans.add(String.valueOf(san.get(1))));
        assertThat(sans).contains("api2.example.com", "api.example.com", "10.9.9.9", "m1", "10.0.0.11", "localhost");
        script.ok("m1", "rm -f /etc/kubernetes/pki/apiserver.key");
        assertThat(ssh.run("m1", "kubeadm init phase certs apiserver --config " + CONFIG).err())
                .contains("failure loading apiserver certificate");
    }
}
