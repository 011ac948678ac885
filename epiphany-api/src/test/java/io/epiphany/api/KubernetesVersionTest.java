package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The supported-release rule: 1.35 to 1.37 in any patch; 1.38 announced and refused; older and newer refused. */
class KubernetesVersionTest {
    @ParameterizedTest
    @ValueSource(strings = {"1.35.0", "v1.35.9", "1.36.0", "1.36.12", "1.37.0", "1.37.99"})
    void everyPatchOfTheSupportedMinorsIsSupported(String text) {
        KubernetesVersion v = KubernetesVersion.of(text);
        assertThat(v.isSupported()).isTrue();
        assertThat(v.whyUnsupported()).isEmpty();
        assertThat(Cluster.builder().masters(Machine.of("m1", "10.0.0.1")).kubernetesVersion(text).build().version())
                .isEqualTo(v);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.34.99 | 1.34 is out of upstream support; choose 1.35 or newer",
            "1.30.4  | 1.30 is out of upstream support",
            "1.38.0  | 1.38 is planned for 2026-12-16 and not supported by this SDK release yet; use 1.37",
            "1.38.5  | until an SDK release adds 1.38",
            "1.39.0  | no such Kubernetes minor is known to this SDK release; the newest is 1.37",
            "2.35.0  | no such Kubernetes minor is known",
            "0.36.0  | no such Kubernetes minor is known"})
    void othersAreRefusedWithTheRangeAndTheReason(String text, String reason) {
        KubernetesVersion v = KubernetesVersion.of(text);
        assertThat(v.isSupported()).isFalse();
        assertThat(v.whyUnsupported()).hasValueSatisfying(why -> assertThat(why)
                .startsWith("outside the supported range 1.35.x to 1.37.x: ").contains(reason));
    }

    @Test
    void theDefaultIsTheNewestSupportedMinor() {
        KubernetesVersion def = KubernetesVersion.of(KubernetesVersion.DEFAULT);
        assertThat(def.isSupported()).isTrue();
        assertThat(def.minor()).isEqualTo(KubernetesVersion.MAX_MINOR.minor());
        assertThat(Cluster.builder().masters(Machine.of("m1", "10.0.0.1")).build().kubernetesVersion())
                .isEqualTo(KubernetesVersion.DEFAULT);
    }

    @Test
    void theAnnouncedMinorIsTheOneAfterTheNewestSupported() {
        assertThat(KubernetesVersion.NEXT_MINOR.minor()).isEqualTo(KubernetesVersion.MAX_MINOR.minor() + 1);
        assertThat(KubernetesVersion.NEXT_MINOR.isSupported()).isFalse();
        assertThat(KubernetesVersion.supportedRange()).isEqualTo("1.35.x to 1.37.x");
    }

    @Test
    void refusedAtBuildNamingTheFieldInTheDslAndInYaml() {
        assertThatThrownBy(() -> Cluster.builder().masters(Machine.of("m1", "10.0.0.1")).kubernetesVersion("1.38.0")
                .build()).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p.field()).isEqualTo("kubernetesVersion")))
                .hasMessageContaining("1.38.0").hasMessageContaining("1.35.x to 1.37.x");
    }

    @Test
    void textThatIsNoVersionNamesItselfAndTheForm() {
        assertThatThrownBy(() -> KubernetesVersion.of("1.37")).hasMessageContaining("'1.37'")
                .hasMessageContaining("write it as 1.37.0");
        assertThat(KubernetesVersion.parse("v1.37.0-rc.1")).isEmpty();
        assertThat(KubernetesVersion.of("v1.36.2")).hasToString("v1.36.2");
    }
}
