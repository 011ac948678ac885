package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SIMULATED kubeadm accepts the releases and configuration API a real kubeadm of its version accepts: X.Y deploys
 * X.Y and X.(Y-1), warns about a newer release, and from 1.36 refuses {@code v1beta3}.
 */
class KubeadmReleasesSimulationTest {
    /** One master whose kubeadm has {@code kubeadmVersion}, reached over SSH like the SDK reaches it. */
    private record Master(SimulatedFleet fleet, TestSsh ssh, ClusterScript script) implements AutoCloseable {
        static Master with(String kubeadmVersion) {
            SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")),
                    SimulatedFleet.Options.defaults().withKubeadmVersion(kubeadmVersion));
            TestSsh ssh = new TestSsh(fleet);
            return new Master(fleet, ssh, new ClusterScript(fleet, ssh));
        }

        TestSsh.Result init(String config) throws Exception {
            script.loadBalancer("m1", List.of("10.0.0.11"));
            script.sysctl("m1");
            script.ok("m1", "mkdir -p /etc/kubernetes/epiphany");
            ssh.put("m1", "/etc/kubernetes/epiphany/kubeadm-init.yaml", config);
            return ssh.run("m1", "kubeadm init --config /etc/kubernetes/epiphany/kubeadm-init.yaml");
        }

        @Override
        public void close() {
            ssh.close();
            fleet.close();
        }
    }

    private static String config(String kubernetesVersion) {
        return ClusterScript.initConfig("m1", "10.0.0.11", "  - name: profiling\n    value: \"false\"\n")
                .replace("kubernetesVersion: \"v1.37.0\"", "kubernetesVersion: \"" + kubernetesVersion + "\"");
    }

    @Test
    void aControlPlaneTwoMinorsOlderIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (Master m = Master.with("v1.37.0")) {
            TestSsh.Result r = m.init(config("v1.35.4"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("this version of kubeadm only supports deploying clusters with the control "
                    + "plane version >= 1.36.0. Current version: v1.35.4");
            assertThat(m.ssh().run("m1", "cat /etc/kubernetes/pki/ca.crt").exit()).isNotZero();
        }
    }

    @Test
    void oneMinorOlderDeploysAndTheNodeRunsThatRelease() throws Exception {
        try (Master m = Master.with("v1.37.0")) {
            TestSsh.Result r = m.init(config("v1.36.2"));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).doesNotContain("WARNING KubernetesVersion");
            assertThat(m.script().ok("m1", "cat /etc/kubernetes/manifests/kube-apiserver.yaml").out())
                    .contains("v1.36.2");
        }
    }

    @Test
    void aNewerReleaseIsAPreflightWarningOnly() throws Exception {
        try (Master m = Master.with("v1.36.0")) {
            TestSsh.Result r = m.init(config("v1.37.0"));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("\t[WARNING KubernetesVersion]: Kubernetes version is greater than kubeadm "
                    + "version. Please consider to upgrade kubeadm. Kubernetes version: 1.37.0. Kubeadm version: 1.36.x");
        }
    }

    @Test
    void v1beta3IsAnOldApiSpecFrom136AndStillReadBy135() throws Exception {
        try (Master m = Master.with("v1.37.0")) {
            TestSsh.Result r = m.init(config("v1.37.0").replace("kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta3"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta3\" "
                    + "(kind: \"InitConfiguration\"). Please use kubeadm v1.35 instead");
        }
        try (Master m = Master.with("v1.35.0")) {
            String v1beta3 = config("v1.35.0").replace("kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta3")
                    .replace("  extraArgs:\n  - name: profiling\n    value: \"false\"\n", "");
            TestSsh.Result old = m.init(v1beta3);
            assertThat(old.exit()).as(old.err()).isZero();
        }
    }

    @Test
    void aRemovedFeatureGateIsNotAValidFeatureName() throws Exception {
        try (Master m = Master.with("v1.36.0")) {
            TestSsh.Result r = m.init(config("v1.36.0").replace("encryptionAlgorithm:",
                    "featureGates:\n  ControlPlaneKubeletLocalMode: true\nencryptionAlgorithm:"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("featureGates: Invalid value: map[string]bool{\"ControlPlaneKubeletLocalMode\""
                    + ":true}: ControlPlaneKubeletLocalMode is not a valid feature name.");
        }
        try (Master m = Master.with("v1.35.0")) {
            TestSsh.Result r = m.init(config("v1.35.0").replace("encryptionAlgorithm:",
                    "featureGates:\n  ControlPlaneKubeletLocalMode: true\nencryptionAlgorithm:"));
            assertThat(r.exit()).as("GA in 1.35, still a name kubeadm knows: %s", r.err()).isZero();
        }
    }
}
