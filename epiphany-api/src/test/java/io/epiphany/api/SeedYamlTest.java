package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SeedYamlTest {
    static String seed() throws IOException {
        try (InputStream in = SeedYamlTest.class.getResourceAsStream("/seed-cluster.yml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Cluster seedAsDsl() {
        return Cluster.builder()
                .name("k8s1")
                .ssh(SshSettings.builder().user("ubuntu").privateKey("/workspaces/epiphany/clusters/id_ed25519").build())
                .masters(Machine.of("k1m1", "10.10.1.148"), Machine.of("k1m2", "10.10.2.129"),
                        Machine.of("k1m3", "10.10.3.16"))
                .nodes(Machine.of("k1c1", "10.10.1.208"), Machine.of("k1c2", "10.10.2.168"))
                .build();
    }

    @Test
    void seedYamlAsPrintedInTheDesignEqualsTheDsl() throws IOException {
        Cluster fromYaml = Cluster.fromYaml(seed());
        assertThat(fromYaml).isEqualTo(seedAsDsl());
        assertThat(fromYaml.masters()).extracting(Machine::hostname).containsExactly("k1m1", "k1m2", "k1m3");
        assertThat(fromYaml.ssh().user()).isEqualTo("ubuntu");
    }

    @Test
    void readWriteReadGivesAnEqualCluster() throws IOException {
        Cluster first = Cluster.fromYaml(seed());
        String written = first.toYaml();
        assertThat(Cluster.fromYaml(written)).isEqualTo(first);
    }

    @Test
    void roundTripKeepsEveryNonDefaultSetting() {
        Cluster custom = seedAsDsl().toBuilder()
                .kubernetesVersion("1.35.4")
                .masters(Machine.of("a1", "10.0.0.1").withZone("z1").withLabel("tier", "cp").withTaint("x=y:NoSchedule")
                        .withSshPort(2222).withSshAddress("127.0.0.1"))
                .loadBalancer(LoadBalancer.builder().port(3500).checkInterval(java.time.Duration.ofSeconds(7)).build())
                .encryption(Encryption.builder().provider(Encryption.Provider.AESCBC).build())
                .putControllerManagerExtraArg("node-monitor-period", "3s")
                .ssh(SshSettings.builder().user("admin").hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).addJumpHost("bastion:22").build())
                .build();
        assertThat(Cluster.fromYaml(custom.toYaml())).isEqualTo(custom);
    }
}
