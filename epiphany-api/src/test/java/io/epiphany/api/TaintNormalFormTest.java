package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Taints compare in the form kubectl prints: an empty value is no value. */
class TaintNormalFormTest {
    @Test
    void anEmptyValueIsNoValue() {
        Taint written = Taint.of("dedicated=:NoSchedule");
        Taint printed = Taint.of("dedicated:NoSchedule");
        assertThat(written).isEqualTo(printed).hasSameHashCodeAs(printed);
        assertThat(written.toString()).isEqualTo("dedicated:NoSchedule");
        assertThat(written.value()).isEmpty();
        assertThat(Taint.of("dedicated", "", Taint.Effect.NoExecute)).isEqualTo(Taint.of("dedicated:NoExecute"));
    }

    @Test
    void aValueStaysAValue() {
        assertThat(Taint.of("dedicated=infra:NoSchedule").value()).contains("infra");
        assertThat(Taint.of("dedicated=infra:NoSchedule")).isNotEqualTo(Taint.of("dedicated:NoSchedule"));
    }

    @Test
    void aMachineWithAnEmptyValueTaintRoundTripsInNormalForm() {
        Machine m = Machine.of("k1m1", "10.10.1.148").withTaint("dedicated=:NoSchedule");
        Cluster c = SeedYamlTest.seedAsDsl().toBuilder().masters(m, Machine.of("k1m2", "10.10.2.129"),
                Machine.of("k1m3", "10.10.3.16")).build();
        assertThat(c.toYaml()).contains("dedicated:NoSchedule").doesNotContain("dedicated=:");
        Cluster back = Cluster.fromYaml(c.toYaml());
        assertThat(back).isEqualTo(c);
        assertThat(back.masters().get(0).taints()).containsExactly(Taint.of("dedicated:NoSchedule"));
    }
}
