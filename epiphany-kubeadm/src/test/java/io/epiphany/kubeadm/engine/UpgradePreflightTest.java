package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.KubernetesVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The upgrade preflight's rules on their own: the version skew policy and certificates expiring mid-upgrade. */
class UpgradePreflightTest {
    private static final KubernetesVersion API = KubernetesVersion.of("1.35.4");
    private static final KubernetesVersion HOP = KubernetesVersion.of("1.36.0");

    @Test
    void aKubeletMayBeUpToThreeMinorsOlderThanTheApiServerAndNeverNewer() {
        assertThat(UpgradePreflight.skew("n1", Optional.of(KubernetesVersion.of("1.33.9")), Map.of(), API, HOP))
                .isEmpty();
        assertThat(UpgradePreflight.skew("n1", Optional.of(KubernetesVersion.of("1.32.1")), Map.of(), API, HOP))
                .singleElement().asString().contains("n1: kubelet v1.32.1 would be more than 3 minors older than "
                        + "the API server v1.36.0").contains("1.33 or newer");
        assertThat(UpgradePreflight.skew("n1", Optional.of(KubernetesVersion.of("1.35.5")), Map.of(), API, HOP))
                .singleElement().asString().contains("newer than the API server v1.35.4");
    }

    @Test
    void kubectlWithinOneMinorAndKubeadmTheControlPlanesMinorTheOneBeforeOrTheNextHops() {
        assertThat(UpgradePreflight.skew("m1", Optional.empty(), Map.of("kubectl", "v1.34.0", "kubeadm", "v1.36.0"),
                API, HOP)).isEmpty();
        List<String> p = UpgradePreflight.skew("m1", Optional.empty(), Map.of("kubectl", "v1.37.0", "kubeadm",
                "v1.37.0"), API, HOP);
        assertThat(p).hasSize(2);
        assertThat(p.get(0)).contains("kubectl v1.37.0 is more than one minor");
        assertThat(p.get(1)).contains("kubeadm v1.37.0 is outside 1.34 to v1.36.0");
    }

    @Test
    void aCertificateExpiringBeforeTheUpgradeCanHaveEndedIsAProblemUnlessTheRenewalBeforeItRenewsIt() {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        Duration upgrade = Duration.ofHours(2);
        Map<String, ControlPlaneFacts.Certificate> certs = Map.of(
                "ca.crt", cert(now.plus(Duration.ofHours(1)), true),
                "front-proxy-ca.crt", cert(now.plus(Duration.ofDays(3)), true),
                "apiserver.crt", cert(now.plus(Duration.ofMinutes(30)), false));
        List<String> p = UpgradePreflight.certificates("m1", certs, now, upgrade, Duration.ofDays(30));
        assertThat(p).singleElement().asString().contains("m1: certificate authority ca.crt expires on "
                + "2026-12-01T13:00:00Z").contains("at most 120 min").contains("rotate the CA by hand");
        assertThat(UpgradePreflight.certificates("m1", certs, now, upgrade, Duration.ZERO)).hasSize(2)
                .anySatisfy(s -> assertThat(s).contains("certificate apiserver.crt"));
    }

    private static ControlPlaneFacts.Certificate cert(Instant notAfter, boolean authority) {
        return new ControlPlaneFacts.Certificate(notAfter, List.of(), "CN=x", "CN=ca", authority);
    }
}
