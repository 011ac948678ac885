package io.epiphany.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.testkit.SimulatedFleet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final Path SEED = Path.of("clusters/seed-cluster.yml");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    @Test
    void renderWritesEveryHostsFilesWithTheirModes(@TempDir Path dir) throws IOException {
        int code = cli.run(new String[] {"render", "-f", SEED.toString(), "-o", dir.toString()});

        assertThat(code).isZero();
        assertThat(mode(dir.resolve("k1m1/etc/haproxy/haproxy.cfg"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("k1m1/etc/kubernetes/epiphany/kubeadm-init.yaml"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("k1m2/etc/kubernetes/enc/encryption-config.yaml"))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("k1c2/etc/haproxy/haproxy.cfg")))
                .contains("10.10.1.148:6443", "10.10.2.129:6443", "10.10.3.16:6443");
        assertThat(text(out)).contains("master k1m1 10.10.1.148", "node   k1c2 10.10.2.168",
                "/etc/kubernetes/epiphany/kubeadm-join.yaml (secret, 0600)");
    }

    @Test
    void anInvalidDescriptionExits1NamingTheFieldAndValue(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, Files.readString(SEED).replace("ip: 10.10.1.208", "ip: 10.10.1.999"));

        int code = cli.run(new String[] {"apply", "-f", bad.toString(), "--simulated"});

        assertThat(code).isEqualTo(1);
        assertThat(text(err)).contains("infrastructure/machine 'default-k8s-node1' > specification.ip",
                "'10.10.1.999'", "not an IP address");
        assertThat(text(out)).isEmpty();
    }

    @Test
    void applySimulatedBringsUpTheSeedVerifiesItAndReplansNothing() {
        int code = cli.run(new String[] {"apply", "-f", SEED.toString(), "--simulated"});

        String printed = text(out);
        assertThat(code).as(printed + text(err)).isZero();
        assertThat(printed).contains("SIMULATED", "Plan: 17 changes to cluster 'k8s1'", "==> Initialise control plane",
                "==> Join masters", "    ok    k1m2     copy the 8 shared PKI files", "==> Verify",
                "verified: 5 Nodes Ready", "verified: etcd members = masters [k1m1, k1m2, k1m3], all healthy",
                "verified: GET https://localhost:3446/readyz answers ok on all 5 hosts",
                "Re-apply: no changes", ": 0 state-changing, 0 file writes");
        assertThat(printed.indexOf("Plan: 17 changes")).isLessThan(printed.indexOf("==> Prepare hosts"));
        assertThat(printed.indexOf("verified:")).isLessThan(printed.indexOf("Re-apply: no changes"));
    }

    @Test
    void aFailingHostExits3WithPhaseHostCommandExitCodeAndStderrAndTheNextApplyConverges() {
        Cluster described = Cluster.builder().name("one")
                .masters(Machine.of("m1", "10.0.0.11")).nodes(Machine.of("n1", "10.0.0.21")).build();
        try (SimulatedFleet fleet = SimulatedFleet.start(described)) {
            fleet.host("m1").faults().failCommand("kubeadm init", 1, "[ERROR Port-6443]: Port 6443 is in use");

            int code = cli.run("apply", fleet.cluster(), Map.of());

            assertThat(code).isEqualTo(3);
            assertThat(text(err)).startsWith("FAILED: Initialise control plane failed on m1")
                    .contains("kubeadm init", "exit", "Port 6443 is in use", "not done:", "n1: kubeadm join");
            assertThat(text(out)).contains("    FAIL  m1 ");

            fleet.host("m1").faults().clear();
            out.reset();
            assertThat(cli.run("apply", fleet.cluster(), Map.of())).as(text(err)).isZero();
            assertThat(text(out)).contains("verified: 2 Nodes Ready", "Re-apply: no changes");
        }
    }

    @Test
    void resetWithoutYesIsRefusedBeforeAnythingStarts() {
        assertThat(cli.run(new String[] {"reset", "-f", SEED.toString(), "--simulated"})).isEqualTo(2);
        assertThat(text(err)).contains("add --yes");
        assertThat(text(out)).isEmpty();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String text(ByteArrayOutputStream s) {
        return s.toString(StandardCharsets.UTF_8);
    }
}
