package io.epiphany.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Machine;
import io.epiphany.testkit.SimulatedFleet;
import io.fabric8.kubernetes.client.Config;
import org.junit.jupiter.api.Test;

/**
 * The kubeconfig the SDK reads from a master, as fabric8 understands it. No client is built and nothing connects:
 * the server is the master's modelled address, which is not on this machine.
 */
class Fabric8ClientExampleTest {
    @Test
    void fabric8ReadsTheSdksKubeconfigWithTheMastersServerAndTheAdminCredentials(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        Cluster described = Cluster.builder().name("f8").masters(Machine.of("m1", "10.10.1.148"))
                .cni(io.epiphany.api.Cni.manifest(SimulatedFleet.cniManifest(dir))).build();
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            fleet.cluster().apply();
            Kubeconfig admin = fleet.cluster().kubeconfig();

            Config config = Fabric8ClientExample.clientConfig(admin, described.masters().get(0));

            assertThat(config.getMasterUrl()).isEqualTo("https://10.10.1.148:6443/");
            assertThat(config.getCurrentContext().getName()).isEqualTo("kubernetes-admin@f8");
            assertThat(config.getCaCertData()).isNotBlank();
            assertThat(config.getClientCertData()).isNotBlank();
            assertThat(config.getClientKeyData()).isNotBlank();
            assertThat(admin.yaml()).contains(config.getCaCertData(), config.getClientCertData());
        }
    }
}
