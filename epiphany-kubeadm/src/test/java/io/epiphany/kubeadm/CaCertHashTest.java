package io.epiphany.kubeadm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import io.epiphany.api.spi.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CaCertHashTest {
    static byte[] kubeadmTestCert() throws IOException {
        try (InputStream in = CaCertHashTest.class.getResourceAsStream("/ca-hash/kubeadm-pubkeypin-test.crt")) {
            return in.readAllBytes();
        }
    }

    /** kubeadm's own vector: testCertPEM and expectedHash of k/k cmd/kubeadm/app/util/pubkeypin/pubkeypin_test.go. */
    @Test
    void matchesKubeadmsTestVector() throws IOException {
        assertThat(CaCertHash.of(kubeadmTestCert()))
                .isEqualTo("sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3");
    }

    @Test
    void notACertificateNamesWhatToPass() {
        assertThatThrownBy(() -> CaCertHash.of("not a certificate".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.crt")
                .hasMessageContaining("17 bytes");
    }

    @Test
    void clusterRenderFindsThisEngine() {
        assertThat(Engines.load()).isInstanceOf(KubeadmEngine.class);
        Cluster cluster = Cluster.builder().masters(Machine.of("m1", "10.0.0.1")).nodes(Machine.of("n1", "10.0.0.2"))
                .build();
        Rendering rendering = cluster.render();
        assertThat(rendering.files("n1")).extracting(HostFile::path)
                .containsExactly("/etc/haproxy/haproxy.cfg", "/etc/kubernetes/epiphany/kubeadm-join.yaml");
        // One Cluster value, one set of secrets: rendering twice gives the same files.
        assertThat(cluster.render().files("m1")).isEqualTo(rendering.files("m1"));
        assertThat(rendering.file("m1", "/etc/kubernetes/epiphany/kubeadm-init.yaml").content())
                .contains(cluster.secrets().bootstrapToken().reveal());
    }
}
