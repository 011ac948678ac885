package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.api.KubernetesVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;

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
 *   <li>A feature gate kubeadm removed is not a valid feature name any more ({@code ValidateFeatureGates} in
 *       {@code cmd/kubeadm/app/apis/kubeadm/validation/validation.go}). Only the gates whose removal the team's
 *       reference kubernetes-2026.md dates are refused; other names are let through, as this simulation does not
 *       know every gate a real kubeadm has.
 * </ul>
 */
final class KubeadmReleases {
    /** The first kubeadm minor without {@code v1beta3}. */
    static final int V1BETA3_REMOVED = 36;
    private static final String V1BETA3 = "kubeadm.k8s.io/v1beta3";
    private static final List<String> KINDS = List.of("InitConfiguration", "ClusterConfiguration", "JoinConfiguration");
    /** kubeadm gate → the minor that removed it (kubernetes-2026.md). */
    private static final Map<String, Integer> REMOVED_GATES = Map.of("ControlPlaneKubeletLocalMode", 36,
            "EtcdLearnerMode", 33, "WaitForAllControlPlaneComponents", 35, "NodeLocalCRISocket", 37);

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

    /**
     * kubeadm's error for a configuration this kubeadm cannot load: a document in an API it no longer reads, or a
     * feature gate it removed; empty when it loads.
     */
    static Optional<String> configError(String kubeadmVersion, KubeadmConfig config) {
        Optional<KubernetesVersion> kubeadm = KubernetesVersion.parse(kubeadmVersion);
        if (kubeadm.isEmpty()) {
            return Optional.empty();
        }
        return oldApi(kubeadm.get(), config).or(() -> removedGate(kubeadm.get(), config));
    }

    private static Optional<String> removedGate(KubernetesVersion kubeadm, KubeadmConfig config) {
        JsonNode gates = config.has("ClusterConfiguration") ? config.doc("ClusterConfiguration").path("featureGates")
                : null;
        if (gates == null || !gates.isObject()) {
            return Optional.empty();
        }
        Map<String, Boolean> given = new TreeMap<>();
        gates.fields().forEachRemaining(e -> given.put(e.getKey(), e.getValue().asBoolean()));
        for (String name : given.keySet()) {
            Integer removed = REMOVED_GATES.get(name);
            if (removed != null && kubeadm.atLeast(removed)) {
                // field.Invalid(featureGates, map, detail): Go prints the map with %#v: keys sorted, ", " between entries.
                StringJoiner map = new StringJoiner(", ", "map[string]bool{", "}");
                given.forEach((k, v) -> map.add("\"" + k + "\":" + v));
                return Optional.of("featureGates: Invalid value: " + map + ": " + name + " is not a valid feature name.");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> oldApi(KubernetesVersion kubeadm, KubeadmConfig config) {
        if (!kubeadm.atLeast(V1BETA3_REMOVED)) {
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
