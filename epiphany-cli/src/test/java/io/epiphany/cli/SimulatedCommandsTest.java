package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Cluster;
import io.epiphany.testkit.SimulatedFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command end to end on the in-process SIMULATED fleet, through the command line's Java entry point. */
class SimulatedCommandsTest {
    private static final String SEED = "../examples/clusters/seed-cluster.yml";
    private static final String SMALL = HelpAndUsageTest.SMALL;

    @Test
    void renderWritesEveryHostsFilesWithTheirModes(@TempDir Path dir) throws IOException {
        CliRun run = CliRun.of("render", "-f", SEED, "-o", dir.toString());

        assertThat(run.code()).as(run.both()).isZero();
        assertThat(mode(dir.resolve("k1m1/etc/haproxy/haproxy.cfg"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("k1m1/etc/kubernetes/epiphany/kubeadm-init.yaml"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("k1m2/etc/kubernetes/enc/encryption-config.yaml"))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("k1c2/etc/haproxy/haproxy.cfg")))
                .contains("10.10.1.148:6443", "10.10.2.129:6443", "10.10.3.16:6443");
        assertThat(run.out()).contains("master k1m1 10.10.1.148", "node   k1c2 10.10.2.168",
                "/etc/kubernetes/epiphany/kubeadm-join.yaml (secret, 0600)");
    }

    @Test
    void applySimulatedBringsUpTheSeedVerifiesItAndReplansNothing() {
        CliRun run = CliRun.of("apply", "-f", SEED, "--simulated");

        String printed = run.out();
        assertThat(run.code()).as(run.both()).isZero();
        assertThat(printed).contains("SIMULATED", "Plan: 32 changes to cluster 'k8s1'", "==> Initialise control plane",
                "==> Join masters", "    ok    k1m2     copy the 8 shared PKI files", "Join masters done",
                "Join masters done", ", 2/2 hosts", "Prepare kernel done", ", 5/5 hosts", "==> Verify",
                "verified: 5 Nodes Ready", "verified: etcd members = masters [k1m1, k1m2, k1m3], all healthy",
                "verified: GET https://localhost:3446/readyz answers ok on all 5 hosts",
                "Re-apply: no changes", ": 0 state-changing, 0 file writes");
        assertThat(printed.indexOf("Plan: 32 changes")).isLessThan(printed.indexOf("==> Prepare kernel"));
        assertThat(printed.indexOf("verified:")).isLessThan(printed.indexOf("Re-apply: no changes"));
        assertThat(printed).as("not a terminal: no bar, no colour").doesNotContain("\r", "\u001b");
    }

    @Test
    void aFailingHostExits3TheNextApplyConvergesAndResetTearsItDown(@TempDir Path dir)
            throws IOException {
        try (SimulatedFleet fleet = SimulatedFleet.start(Cluster.fromYaml(Path.of(SMALL)))) {
            // the fleet's own description (its 127.0.0.1 ports, key and known_hosts): the CLI drives it as real hosts
            Path file = dir.resolve("fleet.yml");
            Files.writeString(file, fleet.cluster().toBuilder()
                    .cni(io.epiphany.api.Cni.manifest(SimulatedFleet.cniManifest(dir))).build().toYaml());
            fleet.host("k1m1").faults().failCommand("kubeadm init", 1, "[ERROR Port-6443]: Port 6443 is in use");

            CliRun failed = CliRun.of("apply", "-f", file.toString());

            assertThat(failed.code()).as(failed.both()).isEqualTo(3);
            assertThat(failed.err()).startsWith("FAILED: Initialise control plane failed on k1m1")
                    .contains("kubeadm init", "exit", "Port 6443 is in use", "not done:", "k1c1: kubeadm join");
            assertThat(failed.out()).contains("    FAIL  k1m1 ").doesNotContain("SIMULATED");

            fleet.host("k1m1").faults().clear();
            CliRun again = CliRun.of("apply", "-f", file.toString());
            assertThat(again.code()).as(again.both()).isZero();
            assertThat(again.out()).contains("verified: 2 Nodes Ready", "Re-apply: no changes");

            CliRun reset = CliRun.of("reset", "-f", file.toString(), "--yes");
            assertThat(reset.code()).as(reset.both()).isZero();
            assertThat(reset.out()).contains("==> Reset", "    ok    k1c1     kubeadm reset -f", "Reset done",
                    ", 2/2 hosts", "Reset cluster 'small': every machine is clean for a fresh apply.");
            assertThat(CliRun.of("plan", "-f", file.toString()).out()).as("a fresh apply would create it again")
                    .contains("Initialise control plane", "k1m1: write kubeadm init config", "k1c1: kubeadm join");
        }
    }

    @Test
    void planJsonIsEveryStepAsAnObjectAndParsesBack() throws IOException {
        CliRun run = CliRun.of("plan", "-f", SEED, "--simulated", "--output", "json");

        assertThat(run.code()).as(run.both()).isZero();
        assertThat(run.err()).as("the notice leaves stdout to the JSON").contains("SIMULATED");
        JsonNode plan = new ObjectMapper().readTree(run.out());
        assertThat(plan.get("cluster").asText()).isEqualTo("k8s1");
        assertThat(plan.get("changes").asInt()).isEqualTo(32).isEqualTo(plan.get("steps").size());
        assertThat(plan.get("notes").isArray()).isTrue();
        List<String> quorums = new ArrayList<>();
        for (JsonNode step : plan.get("steps")) {
            assertThat(step.fieldNames()).toIterable().containsExactly("phase", "host", "kind", "action", "quorum");
            assertThat(step.get("phase").asText()).isNotBlank();
            assertThat(step.get("action").asText()).isNotBlank();
            if (!step.get("quorum").isNull()) {
                quorums.add(step.get("host").asText() + " " + step.get("quorum").asText());
            }
        }
        JsonNode first = plan.get("steps").get(0);
        assertThat(first.get("phase").asText() + " / " + first.get("host").asText()).isEqualTo("Prepare kernel / k1m1");
        assertThat(quorums).as("init and the masters' joins carry etcd's quorum before and after").hasSize(3)
                .allSatisfy(q -> assertThat(q).contains("etcd", "quorum"));
        assertThat(quorums.get(2)).startsWith("k1m3 etcd 2 members").endsWith("tolerates 1 failure");
    }

    @Test
    void kubeconfigSimulatedPrintsOnlyTheFileOnStdoutPointedAtTheNamedMaster() {
        CliRun run = CliRun.of("kubeconfig", "-f", SMALL, "--simulated", "--server-of", "k1m1");

        assertThat(run.code()).as(run.both()).isZero();
        assertThat(run.out()).as("stdout is the kubeconfig alone").startsWith("---\napiVersion: \"v1\"\n")
                .contains("server: https://10.10.1.148:6443", "current-context: \"kubernetes-admin@small\"")
                .doesNotContain("SIMULATED");
        assertThat(run.err()).contains("SIMULATED", "created first");
    }

    @Test
    void lbStatusPrintsEveryHostsHaproxyAsOneTableAndExitsZeroWhenNothingDisagrees() {
        CliRun run = CliRun.of("lb", "status", "-f", SMALL, "--simulated");

        assertThat(run.code()).as(run.both()).isZero();
        assertThat(run.out()).contains("k1m1").doesNotContain("FLAG");
        assertThat(run.err()).contains("SIMULATED", "created first");
    }

    @Test
    void rotateTheKeyThenBackupCertificatesAndRestoreOverTheLiveClusterOnlyWhenToldTo(@TempDir Path dir)
            throws IOException {
        try (SimulatedFleet fleet = SimulatedFleet.start(Cluster.fromYaml(Path.of(SMALL)))) {
            Path file = dir.resolve("fleet.yml");
            Cluster cluster = fleet.cluster().toBuilder()
                    .cni(io.epiphany.api.Cni.manifest(SimulatedFleet.cniManifest(dir))).build();
            Files.writeString(file, cluster.toYaml());
            try (var access = io.epiphany.api.remote.RemoteAccess.load()) {
                cluster.apply(io.epiphany.api.ApplyOptions.builder().remoteAccess(access).build());
                Files.writeString(fleet.host("k1m1").root().resolve("root/secret.yaml"), "apiVersion: v1\nkind: "
                        + "Secret\nmetadata:\n  name: db\n  namespace: default\ntype: Opaque\ndata:\n  password: "
                        + "czNjcjN0\n");
                access.host(cluster.machine("k1m1").orElseThrow(), cluster.ssh()).run(io.epiphany.api.remote.Command
                        .of("kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "apply", "--server-side", "-f",
                                "/root/secret.yaml").asRoot()).orThrow();
            }
            assertThat(CliRun.of("encryption", "status", "-f", file.toString()).out())
                    .contains("Secrets stored under: key1 1\n").doesNotContain("key2");

            CliRun rotated = CliRun.of("apply", "-f", file.toString(), "--rotate-encryption-key");
            assertThat(rotated.code()).as(rotated.both()).isZero();
            assertThat(rotated.out()).contains("==> Rotate encryption key", "make key2 first", "rewrite every Secret",
                    "remove the old key(s) [key1]", "Re-apply: no changes");
            CliRun status = CliRun.of("encryption", "status", "-f", file.toString());
            assertThat(status.code()).as(status.both()).isZero();
            assertThat(status.out()).startsWith("HOST").containsPattern("k1m1 +[a-z]+ +key2\n")
                    .containsPattern("Secrets stored under: key2 1\\n").doesNotContain("key1", "under way");

            Path archive = dir.resolve("small.backup");

            CliRun backup = CliRun.of("backup", "-f", file.toString(), archive.toString(), "--output", "json");
            assertThat(backup.code()).as(backup.both()).isZero();
            JsonNode b = new ObjectMapper().readTree(backup.out());
            assertThat(b.get("cluster").asText()).isEqualTo("small");
            assertThat(b.get("takenOn").asText()).isEqualTo("k1m1");
            assertThat(mode(archive)).isEqualTo("rw-------");

            CliRun certs = CliRun.of("certificates", "-f", file.toString());
            assertThat(certs.code()).as(certs.both()).isZero();
            assertThat(certs.out()).startsWith("HOST").contains("k1m1", "apiserver.crt", "k1c1");

            CliRun refused = CliRun.of("restore", "-f", file.toString(), archive.toString());
            assertThat(refused.code()).as(refused.both()).isEqualTo(3);
            assertThat(refused.err()).contains("still run a cluster", "--replace small");
            CliRun wrongHash = CliRun.of("restore", "-f", file.toString(), archive.toString(), "--sha256", "00");
            assertThat(wrongHash.code()).as(wrongHash.both()).isEqualTo(2);
            assertThat(wrongHash.err()).contains("the archive was changed");

            CliRun restored = CliRun.of("restore", "-f", file.toString(), archive.toString(), "--replace", "small",
                    "--sha256", b.get("sha256").asText());
            assertThat(restored.code()).as(restored.both()).isZero();
            assertThat(restored.out()).contains("==> Reset", "==> Restore control plane", "etcdutl snapshot restore",
                    "verified: 2 Nodes Ready", "Restored cluster 'small'");
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
