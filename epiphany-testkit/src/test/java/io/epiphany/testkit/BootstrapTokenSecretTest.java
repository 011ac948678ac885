package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Machine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIMULATED cluster reads bootstrap token Secrets as the API server does: {@code kubectl create -f} of a Secret
 * {@code bootstrap-token-<id>} joins with that token; one without a usage, expired or unknown is refused with the
 * real message; the token is never an argument of a process.
 */
class BootstrapTokenSecretTest {
    private static final List<String> MASTER_IPS = List.of("10.0.0.11");
    private static final String KUBECTL = "kubectl --kubeconfig /etc/kubernetes/admin.conf";
    private static SimulatedFleet fleet;
    private static TestSsh ssh;
    private static ClusterScript script;

    @BeforeAll
    static void start() throws Exception {
        fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11"), Machine.of("w1", "10.0.0.21")));
        ssh = new TestSsh(fleet);
        script = new ClusterScript(fleet, ssh);
        script.loadBalancer("m1", MASTER_IPS);
        script.init("m1", "10.0.0.11");
        script.loadBalancer("w1", MASTER_IPS);
    }

    @AfterAll
    static void stop() {
        ssh.close();
        fleet.close();
    }

    private static String secret(String id, String secret, Instant expiration, String usages) {
        return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bootstrap-token-" + id + "\n  namespace: kube-system\n"
                + "type: bootstrap.kubernetes.io/token\nstringData:\n  token-id: \"" + id + "\"\n  token-secret: \""
                + secret + "\"\n  expiration: \"" + expiration + "\"\n" + usages
                + "  auth-extra-groups: \"system:bootstrappers:kubeadm:default-node-token\"\n";
    }

    private static TestSsh.Result create(String id, String secret, Instant expiration, String usages)
            throws Exception {
        String path = "/etc/kubernetes/epiphany/bootstrap-token-" + id + ".yaml";
        ssh.put("m1", path, secret(id, secret, expiration, usages));
        return ssh.run("m1", KUBECTL + " create -f " + path);
    }

    private static TestSsh.Result join(String token) throws Exception {
        return script.join("w1", "10.0.0.21", token, script.caHash("m1"), false);
    }

    @Test
    void aTokenFromItsSecretJoinsAndTheRefusedOnesSayWhy() throws Exception {
        Instant inAnHour = fleet.clock().instant().plus(Duration.ofHours(1));
        String both = "  usage-bootstrap-authentication: \"true\"\n  usage-bootstrap-signing: \"true\"\n";

        TestSsh.Result unsigned = create("cdefgh", "0123456789abcdef", inAnHour,
                "  usage-bootstrap-authentication: \"true\"\n");
        assertThat(unsigned.out()).contains("secret/bootstrap-token-cdefgh created");
        assertThat(join("cdefgh.0123456789abcdef").err()).contains("could not find a JWS signature in the "
                + "cluster-info ConfigMap for token ID \"cdefgh\"");

        create("defghi", "0123456789abcdef", inAnHour, "  usage-bootstrap-signing: \"true\"\n");
        assertThat(join("defghi.0123456789abcdef").err()).contains("error execution phase preflight: unable to "
                + "fetch the kubeadm-config ConfigMap: failed to get config map: Unauthorized");

        create("efghij", "0123456789abcdef", fleet.clock().instant().minusSeconds(60), both);
        assertThat(join("efghij.0123456789abcdef").err()).contains("for token ID \"efghij\"");
        assertThat(join("fghijk.0123456789abcdef").err()).contains("for token ID \"fghijk\"");

        assertThat(create("bcdefg", "0123456789abcdef", inAnHour, both).exit()).isZero();
        TestSsh.Result again = create("bcdefg", "0123456789abcdef", inAnHour, both);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("Error from server (AlreadyExists): error when creating \""
                + "/etc/kubernetes/epiphany/bootstrap-token-bcdefg.yaml\": secrets \"bootstrap-token-bcdefg\" "
                + "already exists");
        TestSsh.Result joined = join("bcdefg.0123456789abcdef");
        assertThat(joined.exit()).as(joined.err()).isZero();

        script.ok("m1", "kubeadm token delete bcdefg");
        assertThat(fleet.bootstrapTokenIds()).doesNotContain("bcdefg").contains("cdefgh");
        assertThat(fleet.hosts().stream().flatMap(h -> h.processes().commandLines().stream()))
                .as("created from files, the tokens' secret half is no process's argument")
                .noneMatch(l -> l.contains("0123456789abcdef"))
                .anyMatch(l -> l.equals(KUBECTL + " create -f /etc/kubernetes/epiphany/bootstrap-token-bcdefg.yaml"));
    }
}
