package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.KubernetesVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kubeadm feature gates per minor: only a difference from the default is written, a locked or removed gate never. */
class RenderingFeatureGatesTest {
    static Map<String, Object> render(String version, String gate, boolean value) {
        return FeatureGates.render(KubernetesVersion.of(version), Map.of(gate, value));
    }

    @ParameterizedTest
    @CsvSource({
            "ControlPlaneKubeletLocalMode, 1.30.0, NOT_YET", "ControlPlaneKubeletLocalMode, 1.32.0, ALPHA",
            "ControlPlaneKubeletLocalMode, 1.34.0, BETA", "ControlPlaneKubeletLocalMode, 1.35.0, GA",
            "ControlPlaneKubeletLocalMode, 1.36.0, REMOVED", "ControlPlaneKubeletLocalMode, 1.37.0, REMOVED",
            "NodeLocalCRISocket, 1.35.0, BETA", "NodeLocalCRISocket, 1.36.0, GA", "NodeLocalCRISocket, 1.37.0, REMOVED",
            "EtcdLearnerMode, 1.35.0, REMOVED", "WaitForAllControlPlaneComponents, 1.33.0, NOT_YET",
            "WaitForAllControlPlaneComponents, 1.34.0, GA", "WaitForAllControlPlaneComponents, 1.35.0, REMOVED"})
    void stagesFollowTheReferenceTable(String gate, String version, FeatureGates.Stage stage) {
        assertThat(FeatureGates.find(gate).orElseThrow().at(KubernetesVersion.of(version).minor())).isEqualTo(stage);
    }

    @Test
    void onlyADifferenceFromTheDefaultIsWritten() {
        assertThat(render("1.31.0", "ControlPlaneKubeletLocalMode", true)).containsExactly(
                Map.entry("ControlPlaneKubeletLocalMode", true));
        assertThat(render("1.31.0", "ControlPlaneKubeletLocalMode", false)).isEmpty();
        assertThat(render("1.35.0", "NodeLocalCRISocket", true)).isEmpty();
        assertThat(render("1.35.0", "NodeLocalCRISocket", false)).containsExactly(Map.entry("NodeLocalCRISocket", false));
        assertThat(render("1.35.0", "ControlPlaneKubeletLocalMode", true)).isEmpty();
        assertThat(render("1.36.0", "ControlPlaneKubeletLocalMode", true)).isEmpty();
        assertThat(render("1.37.0", "NodeLocalCRISocket", true)).isEmpty();
    }

    @Test
    void aLockedOrRemovedGateCannotBeSwitchedOff() {
        assertThatThrownBy(() -> render("1.35.2", "ControlPlaneKubeletLocalMode", false))
                .hasMessageContaining("ControlPlaneKubeletLocalMode").hasMessageContaining("v1.35.2")
                .hasMessageContaining("locked on since 1.35");
        assertThatThrownBy(() -> render("1.36.0", "ControlPlaneKubeletLocalMode", false))
                .hasMessageContaining("removed in 1.36");
        assertThatThrownBy(() -> render("1.36.0", "NodeLocalCRISocket", false)).hasMessageContaining("locked on since 1.36");
        assertThatThrownBy(() -> render("1.37.0", "NodeLocalCRISocket", false)).hasMessageContaining("removed in 1.37");
    }

    @Test
    void unknownAndNotYetGatesAreErrors() {
        assertThatThrownBy(() -> render("1.37.0", "NoSuchGate", true)).hasMessageContaining("no feature gate "
                + "'NoSuchGate'").hasMessageContaining("ControlPlaneKubeletLocalMode");
        assertThatThrownBy(() -> render("1.33.0", "WaitForAllControlPlaneComponents", true))
                .hasMessageEndingWith("not in that kubeadm yet");
        assertThatThrownBy(() -> render("1.30.0", "ControlPlaneKubeletLocalMode", true))
                .hasMessageContaining("alpha from 1.31");
    }

    @Test
    void theSdksWishesNeedNoGateOnAnySupportedMinor() {
        for (int minor = KubernetesVersion.MIN.minor(); minor <= KubernetesVersion.MAX_MINOR.minor(); minor++) {
            assertThat(FeatureGates.of(KubernetesVersion.of("1." + minor + ".0"))).as("1.%d", minor).isNull();
        }
        assertThat(FeatureGates.of(KubernetesVersion.of("1.32.0"))).isEqualTo(Map.of("ControlPlaneKubeletLocalMode", true));
    }
}
