package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.EncryptionStatus;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import io.epiphany.api.Secret;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import io.epiphany.testkit.Fleet;
import io.epiphany.testkit.SimulatedFleet;
import io.epiphany.testkit.SimulatedFleetTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Encryption key rotation on the SIMULATED fleet, whose API servers store Secrets encrypted with the keys they read
 * at their last start. One fleet for the class: each test starts from a finished rotation and leaves one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SimulatedFleetTest
class RotateEncryptionKeyTest {
    private static final List<String> MASTERS = List.of("m1", "m2", "m3");
    private static final List<String> SECRETS = List.of("default/s1", "default/s2", "kube-system/s3");
    private static final String CRICTL_STOP = "crictl --runtime-endpoint unix:///run/containerd/containerd.sock stop";
    private static final String READYZ = "curl -sk --max-time 5 https://127.0.0.1:6443/readyz";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Secrets of 6 KiB besides {@link #SECRETS}: together far more than {@link #SMALL_OUTPUT}. */
    private static final int PAGED = 40;
    /** The output a remote access keeps of a command, for the apply that rewrites the Secrets. */
    /** Above what one host's facts script prints (a master: about 32 KiB), far below the Secrets' listing. */
    private static final int SMALL_OUTPUT = 96 * 1024;

    private FleetFixture f;
    private Cluster c;
    /** Runs on every progress event of an apply (fault injection, reads in between), set per test. */
    private final AtomicReference<Consumer<ProgressEvent>> hook = new AtomicReference<>(e -> { });
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start(@Fleet(masters = 3) SimulatedFleet fleet) {
        f = new FleetFixture(fleet);
        c = f.cluster(MASTERS, List.of());
        c.apply(options());
        SECRETS.forEach(s -> write("m1", s));
        // more than one command's output keeps with a small maxOutputBytes (see SMALL_OUTPUT): read in pages
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < PAGED; i++) {
            yaml.append("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: paged-").append(i).append("\n  "
                    + "namespace: default\nstringData:\n  v: value-of-paged-").append(i).append("\n  pad: ")
                    .append("x".repeat(6 * 1024)).append('\n');
        }
        f.run("m1", kubectlLocal("apply", "-f", "-").stdin(yaml.toString().getBytes(StandardCharsets.UTF_8)))
                .orThrow();
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private ApplyOptions options() {
        return f.optionsBuilder().listener(ProgressListener.of(e -> {
            f.events.add(e);
            hook.get().accept(e);
            if (e.type() == ProgressEvent.Type.STEP_FINISHED && e.phase().equals(RotateEncryptionKeyPhase.TITLE)) {
                MASTERS.forEach(m -> readableThrough(m, e.host().orElse("") + " " + e.step().orElse("")));
            }
        })).build();
    }

    /**
     * One rotation, interrupted after each of its 4 stages and in the middle of the first and the last, each time
     * planned again from the masters and carried on by the next apply without the option.
     */
    @Test
    void rotatesStageByStageOneApiServerAtATimeAndAnInterruptedRotationIsFinishedByTheNextApply() {
        String old = currentKey();
        String next = "key" + (EncryptionKeys.number(old) + 1);
        EncryptionStatus before = c.encryptionStatus(options());
        assertThat(before.unreadable()).isEmpty();
        MASTERS.forEach(m -> assertThat(before.keys(m)).containsExactly(old));
        assertThat(before.secretsUnder(old)).isGreaterThanOrEqualTo(SECRETS.size() + PAGED);
        assertThat(before.rotationInProgress()).isFalse();
        List<String> oldMaterial = material("m1");
        ApplyOptions rotate = options().toBuilder().rotateEncryptionKey(true).build();

        Plan plan = c.plan(rotate);
        List<PlannedStep> rotation = plan.byPhase().get(RotateEncryptionKeyPhase.TITLE);
        assertThat(rotation).extracting(PlannedStep::host).containsExactly("m1", "m2", "m3", "m1", "m2", "m3",
                Context.CLUSTER, "m1", "m2", "m3");
        assertThat(rotation.get(0).action()).contains("add the new key " + next + " second", "[" + old + "] → ["
                + old + ", " + next + "]");
        assertThat(rotation.get(3).action()).contains("make " + next + " first");
        assertThat(rotation.get(6).action()).contains("kubectl replace -f -");
        assertThat(rotation.get(9).action()).contains("remove the old key(s) [" + old + "]");
        assertThat(c.plan(options()).byPhase()).doesNotContainKey(RotateEncryptionKeyPhase.TITLE);
        f.events.clear();

        // mid-stage 1: m2's config is written but its API server's restart fails
        f.fleet.host("m2").faults().failCommand(CRICTL_STOP, 1, "SIMULATED failure");
        assertThatThrownBy(() -> c.apply(plan, rotate)).hasMessageContaining("m2");
        f.fleet.host("m2").faults().clear();
        EncryptionStatus midStage1 = c.encryptionStatus(options());
        assertThat(midStage1.keys("m1")).containsExactly(old, next);
        assertThat(midStage1.keys("m2")).containsExactly(old, next);
        assertThat(midStage1.keys("m3")).containsExactly(old);
        assertThat(midStage1.rotationInProgress()).isTrue();
        MASTERS.forEach(m -> readableThrough(m, "mid-stage 1"));
        Plan resumed = c.plan(options());
        assertThat(resumed.findings()).anySatisfy(x -> assertThat(x.problem())
                .contains("encryption key rotation not finished"));
        List<PlannedStep> steps = resumed.byPhase().get(RotateEncryptionKeyPhase.TITLE);
        assertThat(steps.get(0).host()).isEqualTo("m2");
        assertThat(steps.get(0).action()).startsWith("restart the API server");
        assertThat(steps.get(1).host()).isEqualTo("m3");
        assertThat(steps.get(1).action()).contains("add the new key " + next);

        // after stage 1: the first promotion is refused by its health gate, before anything changes
        failWhenStepStarts("m1", "make " + next, READYZ);
        assertThatThrownBy(() -> c.apply(options())).hasMessageContaining("not healthy before changing m1");
        clearFaults();
        MASTERS.forEach(m -> assertThat(c.encryptionStatus(options()).keys(m)).containsExactly(old, next));
        MASTERS.forEach(m -> readableThrough(m, "after stage 1"));

        // after stage 2: the rewrite fails
        MASTERS.forEach(m -> f.fleet.host(m).faults().failCommand("kubectl --kubeconfig /etc/kubernetes/admin.conf "
                + "get secrets", 1, "SIMULATED failure"));
        assertThatThrownBy(() -> c.apply(options())).hasMessageContaining("kubectl get secrets");
        clearFaults();
        EncryptionStatus afterStage2 = c.encryptionStatus(options());
        MASTERS.forEach(m -> assertThat(afterStage2.keys(m)).containsExactly(next, old));
        assertThat(afterStage2.secretsUnder(old)).isGreaterThanOrEqualTo(SECRETS.size());
        write("m1", "default/midway"); // through m1, which encrypts with the new key now
        assertThat(storedValue("m3", "default/midway")).startsWith("k8s:enc:secretbox:v1:" + next + ":");
        MASTERS.forEach(m -> readableThrough(m, "after stage 2"));

        // after stage 3 (Secrets read and rewritten in pages and batches: they do not fit in one command's output,
        // which was refused before): the first removal is refused by its health gate
        failWhenStepStarts("m1", "remove the old key", READYZ);
        try (io.epiphany.api.remote.RemoteAccess small = io.epiphany.ssh.SshRemoteAccess.builder()
                .maxOutputBytes(SMALL_OUTPUT).build()) {
            ApplyOptions smallOutput = options().toBuilder().remoteAccess(small).build();
            assertThat(c.encryptionStatus(smallOutput).secretsByKey()).as("counted in pages")
                    .isEqualTo(c.encryptionStatus(options()).secretsByKey());
            assertThatThrownBy(() -> c.apply(smallOutput)).hasMessageContaining("not healthy before changing m1");
        }
        clearFaults();
        EncryptionStatus afterStage3 = c.encryptionStatus(options());
        assertThat(afterStage3.secretsUnder(old)).isZero();
        MASTERS.forEach(m -> assertThat(afterStage3.keys(m)).containsExactly(next, old));
        assertThat(c.plan(options()).byPhase().get(RotateEncryptionKeyPhase.TITLE))
                .extracting(PlannedStep::host).containsExactly("m1", "m2", "m3");

        // mid-stage 4: m2's restart fails after its config lost the old key
        failWhenStepStarts("m2", "remove the old key", CRICTL_STOP);
        assertThatThrownBy(() -> c.apply(options())).hasMessageContaining("m2");
        clearFaults();
        EncryptionStatus midStage4 = c.encryptionStatus(options());
        assertThat(midStage4.keys("m1")).containsExactly(next);
        assertThat(midStage4.keys("m3")).containsExactly(next, old);
        MASTERS.forEach(m -> readableThrough(m, "mid-stage 4"));

        ApplyResult result = c.apply(options());
        EncryptionStatus done = c.encryptionStatus(options());
        MASTERS.forEach(m -> assertThat(done.keys(m)).containsExactly(next));
        assertThat(done.secretsByKey()).containsOnlyKeys(next);
        assertThat(done.secretsUnder(next)).isEqualTo(before.secretsUnder(old) + 1);
        assertThat(done.rotationInProgress()).isFalse();
        assertThat(storedValue("m2", "default/s1")).startsWith("k8s:enc:secretbox:v1:" + next + ":");
        assertThat(storedValue("m3", "default/paged-" + (PAGED - 1))).startsWith("k8s:enc:secretbox:v1:" + next + ":");
        MASTERS.forEach(m -> readableThrough(m, "done"));
        assertThat(problems).isEmpty();
        assertThat(c.plan(options()).isEmpty()).isTrue();

        // one step at a time over every apply: each ends (or fails) before the next begins
        List<ProgressEvent> events = f.events.stream().filter(e -> e.phase().equals(RotateEncryptionKeyPhase.TITLE)
                && e.type() != ProgressEvent.Type.PHASE_STARTED && e.type() != ProgressEvent.Type.PHASE_FINISHED)
                .toList();
        assertThat(events).hasSizeGreaterThanOrEqualTo(2 * rotation.size());
        for (int i = 0; i < events.size(); i += 2) {
            assertThat(events.get(i).type()).isEqualTo(ProgressEvent.Type.STEP_STARTED);
            assertThat(events.get(i + 1).type()).isIn(ProgressEvent.Type.STEP_FINISHED,
                    ProgressEvent.Type.STEP_FAILED);
            assertThat(events.get(i + 1).host()).isEqualTo(events.get(i).host());
        }
        // no key material anywhere the SDK reports
        MASTERS.forEach(m -> assertThat(material(m)).doesNotContainAnyElementsOf(oldMaterial).hasSize(1));
        List<String> texts = new ArrayList<>(List.of(plan.toString(), result.toString(), done.toString(),
                before.toString()));
        f.events.forEach(e -> texts.add(e.toString()));
        for (String key : List.of(oldMaterial.get(0), material("m1").get(0))) {
            assertThat(texts).noneMatch(t -> t.contains(key));
        }
    }

    @Test
    void theSimulatedApiServerCannotReadASecretUnderAKeyItDidNotLoad() {
        // a config written by hand that drops the key the Secrets are stored under: read only after a restart
        String path = c.encryption().configFile();
        CommandResult original = f.run("m3", Command.of("cat", path)).orThrow();
        String current = currentKey();
        String foreign = EncryptionConfigFixture.withOnlyKey(c, "key999", Secret.randomBase64(32));
        try {
            f.access.host(c.machine("m3").orElseThrow(), c.ssh()).upload(io.epiphany.api.remote.RemoteFile.of(path,
                    foreign, 0600).secret());
            readableThrough("m3", "config rewritten, API server not restarted");
            assertThat(problems).isEmpty();
            String id = f.run("m3", Etcd.containerQuery(f.all, "kube-apiserver")).orThrow().stdout().trim();
            f.run("m3", Etcd.crictlStop(f.all, id)).orThrow();
            CommandResult r = f.run("m3", kubectlLocal("get", "secret", "s1", "-n", "default", "-o", "json"));
            assertThat(r.ok()).isFalse();
            assertThat(r.stderr()).contains("Internal error occurred: unable to transform key "
                    + "\"/registry/secrets/default/s1\": no matching prefix found");
            // the right key name with other material: the prefix matches, the decryption fails
            f.access.host(c.machine("m3").orElseThrow(), c.ssh()).upload(io.epiphany.api.remote.RemoteFile.of(path,
                    EncryptionConfigFixture.withOnlyKey(c, current, Secret.randomBase64(32)), 0600).secret());
            id = f.run("m3", Etcd.containerQuery(f.all, "kube-apiserver")).orThrow().stdout().trim();
            f.run("m3", Etcd.crictlStop(f.all, id)).orThrow();
            assertThat(f.run("m3", kubectlLocal("get", "secrets", "-A", "-o", "json")).stderr())
                    .contains("(InternalError)", "failed to decrypt");
        } finally {
            f.access.host(c.machine("m3").orElseThrow(), c.ssh()).upload(io.epiphany.api.remote.RemoteFile.of(path,
                    original.stdout().getBytes(StandardCharsets.UTF_8), 0600).secret());
            String id = f.run("m3", Etcd.containerQuery(f.all, "kube-apiserver")).orThrow().stdout().trim();
            f.run("m3", Etcd.crictlStop(f.all, id)).orThrow();
        }
        readableThrough("m3", "restored");
        assertThat(problems).isEmpty();
        assertThat(currentKey()).isEqualTo(current);
    }

    private void failWhenStepStarts(String host, String action, String command) {
        hook.set(e -> {
            if (e.type() == ProgressEvent.Type.STEP_STARTED && e.phase().equals(RotateEncryptionKeyPhase.TITLE)
                    && e.host().orElse("").equals(host) && e.step().orElse("").contains(action)) {
                f.fleet.host(host).faults().failCommand(command, 1, "SIMULATED failure");
            }
        });
    }

    private void clearFaults() {
        hook.set(e -> { });
        MASTERS.forEach(m -> f.fleet.host(m).faults().clear());
    }

    private String currentKey() {
        List<String> keys = c.encryptionStatus(options()).keys("m1");
        assertThat(keys).hasSize(1);
        return keys.get(0);
    }

    /** kubectl against this master's own API server (scheduler.conf points at its advertise address). */
    private static Command kubectlLocal(String... args) {
        List<String> words = new ArrayList<>(List.of("kubectl", "--kubeconfig", "/etc/kubernetes/scheduler.conf"));
        words.addAll(List.of(args));
        return Command.of(words);
    }

    private void write(String master, String namespacedName) {
        String[] p = namespacedName.split("/");
        String yaml = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + p[1] + "\n  namespace: " + p[0]
                + "\nstringData:\n  v: value-of-" + p[1] + "\n";
        f.run(master, kubectlLocal("apply", "-f", "-").stdin(yaml.getBytes(StandardCharsets.UTF_8))).orThrow();
    }

    /** Every Secret read through {@code master}'s API server; a failure is recorded with {@code when}. */
    private void readableThrough(String master, String when) {
        CommandResult r = f.run(master, kubectlLocal("get", "secrets", "--all-namespaces", "-o", "json"));
        if (!r.ok()) {
            problems.add(when + ": " + master + ": " + r.stderr());
            return;
        }
        try {
            for (JsonNode s : JSON.readTree(r.stdout()).path("items")) {
                String name = s.path("metadata").path("name").asText();
                String v = new String(Base64.getDecoder().decode(s.path("data").path("v").asText()),
                        StandardCharsets.UTF_8);
                if (!v.equals("value-of-" + name)) {
                    problems.add(when + ": " + master + ": " + name + " reads '" + v + "'");
                }
            }
        } catch (IOException e) {
            problems.add(when + ": " + master + ": " + e.getMessage());
        }
    }

    /** The etcd value of a Secret, as etcdctl in the master's etcd container prints it. */
    private String storedValue(String master, String namespacedName) {
        String out = f.etcdctl(master, "get", EncryptionKeys.SECRETS_PREFIX + namespacedName).orThrow().stdout();
        return out.lines().skip(1).findFirst().orElse("");
    }

    /** The key material in a master's encryption config, read from the SIMULATED host's disk. */
    private List<String> material(String master) {
        try {
            byte[] config = Files.readAllBytes(f.fleet.host(master).root().resolve(c.encryption().configFile()
                    .substring(1)));
            return EncryptionKeys.material(config).values().stream().map(Secret::reveal).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Renders configs for the test through the SDK's own renderer. */
    private static final class EncryptionConfigFixture {
        static String withOnlyKey(Cluster c, String name, Secret key) {
            return io.epiphany.kubeadm.render.EncryptionConfig.render(c, List.of(java.util.Map.entry(name, key)));
        }
    }
}
