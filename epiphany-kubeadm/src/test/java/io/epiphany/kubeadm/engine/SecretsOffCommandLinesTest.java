package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Secret;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import io.epiphany.testkit.SimulatedHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No secret is ever an argument of a process on a host (issue 10 #12): a bootstrap token, a sudo password, a key or
 * the encryption key would be in the host's process list for any user to read. The SIMULATED hosts record every
 * process's command line; after an init, a join with a token created on the running cluster (from a Secret file)
 * and a failed token creation, none holds a secret.
 */
@SimulatedFleetTest
class SecretsOffCommandLinesTest {
    private static final Pattern TOKEN = Pattern.compile("[a-z0-9]{6}\\.[a-z0-9]{16}");
    private static final String CREATE = "kubectl --kubeconfig /etc/kubernetes/admin.conf create -f "
            + KubePaths.SDK_DIR + "/bootstrap-token-";

    @Test
    void noProcessOnAnyHostHasASecretOnItsCommandLineAndAFailedTokenCreationIsAnApplyException(
            @Fleet(masters = 2, nodes = 1, network = FleetFixture.NETWORK, sshUser = "deploy") SimulatedFleet fleet)
            throws Exception {
        Secret sudo = Secret.of("sudo-pw-4f1d9c7e");
        try (FleetFixture f = new FleetFixture(fleet)) {
            Cluster one = withSudo(f.cluster(List.of("m1"), List.of("n1")), sudo);
            Cluster two = withSudo(f.all, sudo);
            one.apply(f.options());

            f.fleet.host("m1").faults().failCommand(CREATE, 1, "Error from server (InternalError): SIMULATED");
            ApplyException e = org.junit.jupiter.api.Assertions.assertThrows(ApplyException.class,
                    () -> two.apply(f.options()));
            assertThat(e.phase()).isEqualTo("Join masters");
            assertThat(e.host()).contains("m2");
            assertThat(e.getMessage()).contains("create -f").contains("exited 1").contains("SIMULATED");
            assertThat(e.notDone()).anyMatch(s -> s.contains("m2") && s.contains("kubeadm join"));
            assertThat(e.completed()).isNotEmpty();
            assertThat(tokenFiles(f.fleet.host("m1"))).as("the token's file is removed after a failure too").isEmpty();

            f.fleet.host("m1").faults().clear();
            two.apply(f.options());
            assertThat(f.fleet.bootstrapTokenIds()).as("the created token is deleted after the joins").isEmpty();
            assertThat(tokenFiles(f.fleet.host("m1"))).isEmpty();
            assertThat(two.plan(f.options()).isEmpty()).isTrue();

            List<String> secrets = secretsOnTheHosts(f);
            secrets.add(sudo.reveal());
            for (SimulatedHost h : f.fleet.hosts()) {
                assertThat(h.processes().dropped()).isZero();
                for (String line : h.processes().commandLines()) {
                    assertThat(TOKEN.matcher(line).find()).as(h.hostname() + ": a bootstrap token in `" + line + "`")
                            .isFalse();
                    assertThat(secrets).as(h.hostname() + ": `" + line + "`").noneMatch(line::contains);
                }
            }
            assertThat(f.fleet.host("m1").processes().commandLines()).as("the token came from a Secret file")
                    .anyMatch(l -> l.startsWith(CREATE));
        }
    }

    private static Cluster withSudo(Cluster c, Secret password) {
        return c.toBuilder().allowEvenMasters(true).ssh(c.ssh().toBuilder().sudoPassword(password).build()).build();
    }

    private static List<Path> tokenFiles(SimulatedHost h) throws IOException {
        Path dir = h.root().resolve(KubePaths.SDK_DIR.substring(1));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("bootstrap-token-")).toList();
        }
    }

    /**
     * Each line of every private key and the encryption key as the masters hold them (a line of base64 is enough to
     * be a leak), and the admin kubeconfig's client key.
     */
    private static List<String> secretsOnTheHosts(FleetFixture f) throws IOException {
        List<String> out = new ArrayList<>();
        Path root = f.fleet.host("m1").root();
        try (Stream<Path> keys = Files.walk(root.resolve("etc/kubernetes/pki"))) {
            for (Path k : keys.filter(p -> p.toString().endsWith(".key")).toList()) {
                Files.readAllLines(k).stream().filter(l -> !l.startsWith("-----") && l.length() >= 16)
                        .forEach(out::add);
            }
        }
        for (String line : Files.readAllLines(root.resolve("etc/kubernetes/enc/encryption-config.yaml"))) {
            if (line.strip().startsWith("secret:")) {
                out.add(line.strip().substring("secret:".length()).strip().replace("\"", ""));
            }
        }
        for (String line : Files.readAllLines(root.resolve("etc/kubernetes/admin.conf"))) {
            if (line.strip().startsWith("client-key-data:")) {
                out.add(line.strip().substring("client-key-data:".length()).strip());
            }
        }
        assertThat(out).as("the scan has secrets to look for").hasSizeGreaterThan(10);
        return out;
    }
}
