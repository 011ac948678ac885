package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.api.KubernetesVersion;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED: which Kubernetes releases and which configuration API a kubeadm binary of a given version accepts, with
 * kubeadm's own messages (kubernetes/kubernetes {@code cmd/kubeadm/app/util/config/common.go} and
 * {@code cmd/kubeadm/app/preflight/checks.go}).
 *
 * <ul>
 *   <li>kubeadm X.Y deploys X.Y and X.(Y-1): an older control plane is refused while the configuration is loaded
 *       ({@code NormalizeKubernetesVersion}: {@code MinimumControlPlaneVersion} is one minor below kubeadm's own).
 *   <li>A newer control plane is only a preflight warning ({@code KubernetesVersionCheck}).
 *   <li>From 1.36 kubeadm reads {@code v1beta4} only; {@code v1beta3} is an "old API spec" whose last reader is
 *       kubeadm 1.35 (kubernetes/kubernetes#136016: "The 1.35 kubeadm binary can be used to migrate to v1beta4").
 * </ul>
 */
final class KubeadmReleases {
    /** The first kubeadm minor without {@code v1beta3}. */
    static final int V1BETA3_REMOVED = 36;
    private static final String V1BETA3 = "kubeadm.k8s.io/v1beta3";
    private static final List<String> KINDS = List.of("InitConfiguration", "ClusterConfiguration", "JoinConfiguration");

    private KubeadmReleases() {}

    /** kubeadm's error when it cannot deploy {@code kubernetesVersion}; empty when it can. */
    static Optional<String> refusal(String kubeadmVersion, String kubernetesVersion) {
        Optional<KubernetesVersion> kubeadm = KubernetesVersion.parse(kubeadmVersion);
        Optional<KubernetesVersion> wanted = KubernetesVersion.parse(kubernetesVersion);
        if (kubeadm.isEmpty() || wanted.isEmpty()) {
            return Optional.empty(); // unparsable text is another check's business
        }
        String minimum = kubeadm.get().major() + "." + (kubeadm.get().minor() - 1) + ".0";
        if (wanted.get().compareTo(KubernetesVersion.parse(minimum).orElseThrow()) < 0) {
            return Optional.of("this version of kubeadm only supports deploying clusters with the control plane "
                    + "version >= " + minimum + ". Current version: " + wanted.get());
        }
        return Optional.empty();
    }

    /** kubeadm's preflight warning (without the {@code [WARNING KubernetesVersion]: } prefix) for a newer release. */
    static Optional<String> warning(String kubeadmVersion, String kubernetesVersion) {
        Optional<KubernetesVersion> kubeadm = KubernetesVersion.parse(kubeadmVersion);
        Optional<KubernetesVersion> wanted = KubernetesVersion.parse(kubernetesVersion);
        if (kubeadm.isEmpty() || wanted.isEmpty() || wanted.get().major() != kubeadm.get().major()
                || wanted.get().minor() <= kubeadm.get().minor()) {
            return Optional.empty();
        }
        String plain = wanted.get().toString().substring(1);
        return Optional.of("Kubernetes version is greater than kubeadm version. Please consider to upgrade kubeadm. "
                + "Kubernetes version: " + plain + ". Kubeadm version: " + kubeadm.get().major() + "."
                + kubeadm.get().minor() + ".x");
    }

    /** kubeadm's error for a document in an API this kubeadm no longer reads; empty when every one is readable. */
    static Optional<String> oldApi(String kubeadmVersion, KubeadmConfig config) {
        Optional<KubernetesVersion> kubeadm = KubernetesVersion.parse(kubeadmVersion);
        if (kubeadm.isEmpty() || !kubeadm.get().atLeast(V1BETA3_REMOVED)) {
            return Optional.empty();
        }
        for (String kind : KINDS) {
            JsonNode doc = config.has(kind) ? config.doc(kind) : null;
            if (doc != null && V1BETA3.equals(doc.path("apiVersion").asText())) {
                return Optional.of("your configuration file uses an old API spec: \"" + V1BETA3 + "\" (kind: \"" + kind
                        + "\"). Please use kubeadm v1." + (V1BETA3_REMOVED - 1) + " instead and run 'kubeadm config "
                        + "migrate --old-config old-config-file --new-config new-config-file', which will write the "
                        + "new, similar spec using a newer API version.");
            }
        }
        return Optional.empty();
    }
}
