package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** read → write → read gives an equal {@link Cluster}, for the seed and for descriptions using every optional key. */
class RoundTripTest {
    static String resource(String name) throws IOException {
        try (InputStream in = RoundTripTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Cluster roundTrip(Cluster first) {
        String written = first.toYaml();
        Cluster second = Cluster.fromYaml(written);
        assertThat(second).as("re-read of:\n%s", written).isEqualTo(first);
        assertThat(second.toYaml()).as("writing is stable").isEqualTo(written);
        return second;
    }

    @Test
    void seed() throws IOException {
        roundTrip(Cluster.fromYaml(SeedYamlTest.seed()));
    }

    @Test
    void everyOptionalYamlKeyIsReadAndSurvivesTheRoundTrip() throws IOException {
        Cluster c = roundTrip(Cluster.fromYaml(resource("/full-options-cluster.yml")));
        // each key must have taken effect: all of these differ from the defaults
        Machine m1 = c.masters().get(0);
        assertThat(m1.hostname()).isEqualTo("prod-m1.example.com");
        assertThat(m1.sshAddress()).contains("127.0.0.1");
        assertThat(m1.sshPort()).contains(2201);
        assertThat(m1.sshUser()).contains("admin");
        assertThat(m1.hostKeyFingerprint()).contains("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
        assertThat(m1.zone()).contains("eu-west-1a");
        assertThat(m1.labels()).containsEntry("example.com/rack", "42").containsEntry("flag", "true")
                .containsEntry("count", "1_000");
        assertThat(m1.taints()).extracting(Taint::toString)
                .containsExactly("dedicated=infra:NoSchedule", "maintenance:PreferNoSchedule");
        assertThat(c.masters().get(2).ip()).isEqualTo("fd00::13");
        assertThat(c.nodes().get(0).labels()).containsEntry("gpu", "no");
        assertThat(c.name()).isEqualTo("prod");
        assertThat(c.kubernetesVersion()).isEqualTo("1.35.4");
        assertThat(c.certificatesDir()).isEqualTo("/etc/k8s/pki");
        assertThat(c.criSocket()).isEqualTo("unix:///var/run/crio/crio.sock");
        assertThat(c.allowEvenMasters()).isTrue();
        assertThat(c.networking()).isEqualTo(Networking.builder().podSubnet("10.32.0.0/12")
                .serviceSubnet("172.20.0.0/16").dnsDomain("prod.internal").build());
        assertThat(c.loadBalancer()).isEqualTo(LoadBalancer.builder().port(3500)
                .checkInterval(Duration.ofSeconds(90)).fall(4).rise(3).build());
        assertThat(c.apiServer().admissionPlugins()).containsExactly("NamespaceLifecycle", "ServiceAccount",
                "NodeRestriction", "AlwaysPullImages");
        assertThat(c.apiServer().profiling()).isTrue();
        assertThat(c.apiServer().audit()).isEqualTo(Audit.builder().policyFile("/etc/k8s/audit/policy.yaml")
                .logPath("/var/log/k8s/audit.log").maxAge(7).maxBackup(3).maxSize(50).build());
        assertThat(c.apiServer().extraArgs()).containsEntry("event-ttl", "2h")
                .containsEntry("oidc-username-claim", "email: primary # not a comment");
        assertThat(c.controllerManagerExtraArgs()).containsEntry("node-monitor-period", "3s");
        assertThat(c.schedulerExtraArgs()).containsEntry("v", "2");
        assertThat(c.encryption().provider()).isEqualTo(Encryption.Provider.AESCBC);
        assertThat(c.encryption().configFile()).isEqualTo("/etc/k8s/enc/config.yaml");
        assertThat(c.encryption().key().map(Secret::reveal)).contains("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        assertThat(c.ssh()).isEqualTo(SshSettings.builder().user("deploy").privateKey("/home/deploy/.ssh/id_ed25519")
                .port(2222).knownHosts("/home/deploy/.ssh/known_hosts_prod").hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW)
                .addJumpHosts("ops@bastion.example.com:2222", "[fd00::1]:22").connectTimeout(Duration.ofSeconds(5))
                .authTimeout(Duration.ofSeconds(20)).commandTimeout(Duration.ofMinutes(3)).connectAttempts(5)
                .concurrency(50).keyExchange(java.util.List.of("curve25519-sha256", "mlkem768x25519-sha256"))
                .putAddressBook("10.0.0.5", "127.0.0.1:2205").putAddressBook("[fd00::13]:22", "nat.example.com:40022")
                .closedNetwork("the lab network").build());
    }

    @Test
    void readingAFileGivesTheSameClusterAsReadingItsText(@TempDir Path dir) throws IOException {
        String text = resource("/full-options-cluster.yml");
        Path file = Files.writeString(dir.resolve("cluster.yml"), text);
        assertThat(Cluster.fromYaml(file)).isEqualTo(Cluster.fromYaml(text));
    }

    static Stream<Cluster> variants() {
        Cluster seed = SeedYamlTest.seedAsDsl();
        return Stream.of(
                seed.toBuilder().loadBalancer(LoadBalancer.external("api.example.com:6443")).build(),
                seed.toBuilder().loadBalancer(LoadBalancer.external("[fd00::10]:443")).build(),
                seed.toBuilder().encryption(Encryption.disabled()).build(),
                seed.toBuilder().apiServer(ApiServer.builder().audit(Audit.disabled()).build()).build(),
                seed.toBuilder().masters(Machine.of("solo", "10.1.0.1")).nodes().build(),
                seed.toBuilder().masters(Machine.of("a", "10.1.0.1"), Machine.of("b", "10.1.0.2"))
                        .allowEvenMasters(true).build(),
                seed.toBuilder().loadBalancer(LoadBalancer.builder().checkInterval(Duration.ofMillis(1500)).build())
                        .ssh(SshSettings.builder().connectTimeout(Duration.ofMillis(250))
                                .commandTimeout(Duration.ofHours(2)).build())
                        .build(),
                seed.toBuilder().kubernetesVersion("v1.36.0").build());
    }

    @ParameterizedTest
    @MethodSource("variants")
    void variantsRoundTrip(Cluster variant) {
        roundTrip(variant);
    }

    /** Values YAML 1.1 would read as numbers, booleans or null when written without quotes. */
    @ParameterizedTest
    @ValueSource(strings = {"1_000", "0x1F", "0o17", "017", "1e3", "1.5", ".5", "+1", "-1", "true", "False", "yes",
            "No", "on", "OFF", "y", "n", "null", "Null", "NULL", "~", "", "1:20", "1_2.3", ".inf", ".NaN", "0b101",
            "2001-12-14", "a#b", "x-", "-"})
    void stringValuesThatLookLikeOtherYamlTypesSurvive(String value) {
        Cluster.Builder b = SeedYamlTest.seedAsDsl().toBuilder().putSchedulerExtraArg("v", value)
                .putControllerManagerExtraArg("x", "prefix " + value);
        if (value.matches("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")) { // a valid label value
            b.nodes(Machine.of("k1c1", "10.10.1.208").withLabel("l", value));
        }
        roundTrip(b.build());
    }
}
