package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Values cannot be subclassed or built around their validation from outside the SDK (issue 9). */
class PublicSurfaceTest {
    private static final List<Class<?>> VALUES = List.of(Cluster.class, Machine.class, SshSettings.class,
            LoadBalancer.class, Networking.class, ApiServer.class, Audit.class, Encryption.class, Taint.class,
            ApplyOptions.class);

    @Test
    void abstractValuesHaveOnlyPackagePrivateConstructors() {
        for (Class<?> type : VALUES) {
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                int m = c.getModifiers();
                assertThat(Modifier.isPublic(m) || Modifier.isProtected(m)).as(type.getSimpleName() + " constructor")
                        .isFalse();
            }
        }
    }

    @Test
    void planStepsAndFindingsAreFinalValuesWithoutPublicConstructors() {
        for (Class<?> type : List.of(Plan.class, PlannedStep.class, Finding.class, Certificates.class,
                Backup.class, EncryptionStatus.class)) {
            assertThat(Modifier.isFinal(type.getModifiers())).as(type.getSimpleName()).isTrue();
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                assertThat(Modifier.isPublic(c.getModifiers())).as(type.getSimpleName()).isFalse();
            }
        }
        PlannedStep a = PlannedStep.of("Repair", "m1", PlannedStep.Kind.REPAIR, "start the kubelet", null);
        assertThat(a).isEqualTo(PlannedStep.of("Repair", "m1", PlannedStep.Kind.REPAIR, "start the kubelet", null))
                .isNotEqualTo(PlannedStep.of("Repair", "m2", PlannedStep.Kind.REPAIR, "start the kubelet", null));
    }

    @Test
    void encryptionStatusIsImmutableAndTellsARotationUnderWay() {
        java.util.Map<String, Long> counts = new java.util.HashMap<>(java.util.Map.of("key1", 3L));
        EncryptionStatus done = EncryptionStatus.of(List.of(new EncryptionStatus.Master("m1", "secretbox",
                List.of("key2")), new EncryptionStatus.Master("m2", "secretbox", List.of("key2"))), counts,
                java.util.Map.of());
        counts.put("key2", 9L);
        assertThat(done.secretsByKey()).containsExactly(java.util.Map.entry("key1", 3L));
        assertThat(done.rotationInProgress()).isFalse();
        assertThat(done.keys("m2")).containsExactly("key2");
        assertThat(done.masters().get(0).writeKey()).contains("key2");
        EncryptionStatus midway = EncryptionStatus.of(List.of(new EncryptionStatus.Master("m1", "secretbox",
                List.of("key2")), new EncryptionStatus.Master("m2", "secretbox", List.of("key1"))), counts,
                java.util.Map.of());
        assertThat(midway.rotationInProgress()).isTrue();
        assertThat(midway.toString()).contains("m2=[key1]").contains("key2=9");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EncryptionStatus.of(List.of(),
                java.util.Map.of("key1", -1L), java.util.Map.of())).hasMessageContaining("key1");
    }

    @Test
    void aPlanWithFindingsIsNeverNoChanges() {
        Cluster c = Cluster.builder().addMaster(Machine.of("m1", "10.0.0.1")).build();
        Plan healthy = Plan.of(c, List.of(), List.of(), "d", List.of());
        Plan sick = Plan.of(c, List.of(), List.of(Finding.of("m1", "the kubelet is stopped", "start it")), "d",
                List.of());
        assertThat(healthy.isEmpty()).isTrue();
        assertThat(healthy.toString()).contains("no changes");
        assertThat(sick.isEmpty()).isFalse();
        assertThat(sick.toString()).doesNotContain("no changes").contains("FINDING m1: the kubelet is stopped");
    }

    @Test
    void theListenerIsTypedWithNoOpDefaultsAndAPrintingOne() {
        var out = new java.io.ByteArrayOutputStream();
        ProgressListener printing = ProgressListener.printing(new java.io.PrintStream(out, true));
        PlannedStep step = PlannedStep.of("Repair", "m1", PlannedStep.Kind.REPAIR, "start the kubelet", null);
        printing.phaseStarted("Repair", List.of(step));
        printing.stepFinished(step, java.time.Duration.ofMillis(12));
        assertThat(out.toString()).contains("== Repair (1 step)").contains("ok   m1: start the kubelet (12 ms)");
        List<ProgressEvent> events = new java.util.ArrayList<>();
        ProgressListener.of(events::add).stepFailed(step, java.time.Duration.ZERO, "boom");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(ProgressEvent.Type.STEP_FAILED);
            assertThat(e.error()).contains("boom");
        });
        ProgressListener.NONE.stepStarted(step); // no-op
    }
}
