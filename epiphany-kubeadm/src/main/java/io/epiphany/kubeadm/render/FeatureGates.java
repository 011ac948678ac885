package io.epiphany.kubeadm.render;

import io.epiphany.api.KubernetesVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kubeadm's own feature gates ({@code ClusterConfiguration.featureGates}) per Kubernetes minor, and the ones the SDK
 * wants. A kubeadm gate goes alpha (off by default), beta (on by default), GA (locked on: setting it false is an
 * error) and is removed one release later, after which naming it at all is an error (kind#4209). So the renderer
 * writes a gate only where it differs from that minor's default, and never a GA or removed one.
 *
 * <p>The table is the team's reference kubernetes-2026.md (sources kubernetes/kubernetes#129956 #134106 #135773
 * #126374 #129589 #132594 #134781 #131981 #135742). {@code 0} marks a stage the reference does not date (only
 * WaitForAllControlPlaneComponents' alpha and beta, both before 1.34, so before every supported minor).
 */
final class FeatureGates {
    /** Lifecycle stage of a gate in one minor. */
    enum Stage {
        /** Not in this kubeadm yet: naming it is an error. */
        NOT_YET,
        /** Off by default. */
        ALPHA,
        /** On by default. */
        BETA,
        /** Locked on: {@code true} is the default, {@code false} an error. */
        GA,
        /** Gone, its GA behaviour built in: naming it is an error. */
        REMOVED
    }

    /** One kubeadm gate: the minor of each stage ({@code 0} = not dated). */
    record Gate(String name, int alpha, int beta, int ga, int removed) {
        Stage at(int minor) {
            if (minor >= removed) {
                return Stage.REMOVED;
            } else if (minor >= ga) {
                return Stage.GA;
            } else if (beta > 0 && minor >= beta) {
                return Stage.BETA;
            } else if (alpha > 0 && minor >= alpha) {
                return Stage.ALPHA;
            }
            return Stage.NOT_YET;
        }
    }

    static final List<Gate> KUBEADM = List.of(
            new Gate("ControlPlaneKubeletLocalMode", 31, 33, 35, 36),
            new Gate("EtcdLearnerMode", 27, 29, 32, 33),
            new Gate("WaitForAllControlPlaneComponents", 0, 0, 34, 35),
            new Gate("NodeLocalCRISocket", 32, 34, 36, 37));

    /**
     * What the SDK wants. {@code ControlPlaneKubeletLocalMode}: each master's kubelet talks to its own API server,
     * not the load balancer, so a rolling upgrade never sends a new kubelet to an old API server and a master's
     * kubelet never depends on HAProxy. On every supported minor that is kubeadm's own behaviour (locked on in 1.35,
     * built in from 1.36), so nothing is rendered for it; the entry keeps the renderer honest if a minor ever lacks it.
     */
    static final Map<String, Boolean> SDK = Map.of("ControlPlaneKubeletLocalMode", true);

    private FeatureGates() {}

    /** The SDK's gates for {@code version}: {@code null} (key left out) when every wish is that minor's default. */
    static Map<String, Object> of(KubernetesVersion version) {
        Map<String, Object> gates = render(version, SDK);
        return gates.isEmpty() ? null : gates;
    }

    /**
     * The {@code featureGates} entries that express {@code wanted} on {@code version}'s kubeadm: only those that
     * differ from its default.
     *
     * @throws IllegalArgumentException when a wish cannot be expressed: an unknown gate, one not in that kubeadm yet,
     *     or {@code false} for a gate that is locked on or removed
     */
    static Map<String, Object> render(KubernetesVersion version, Map<String, Boolean> wanted) {
        Map<String, Object> out = new LinkedHashMap<>();
        wanted.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(w -> {
            Gate gate = find(w.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "kubeadm has no feature gate '" + w.getKey() + "'; known: " + names()));
            boolean value = w.getValue();
            String where = "kubeadm feature gate " + gate.name() + " on Kubernetes " + version + ": ";
            switch (gate.at(version.minor())) {
                case NOT_YET -> throw new IllegalArgumentException(where + "not in that kubeadm yet"
                        + (gate.alpha() > 0 ? " (alpha from 1." + gate.alpha() + ")" : ""));
                case ALPHA -> {
                    if (value) {
                        out.put(gate.name(), true);
                    }
                }
                case BETA -> {
                    if (!value) {
                        out.put(gate.name(), false);
                    }
                }
                case GA -> {
                    if (!value) {
                        throw new IllegalArgumentException(where + "GA and locked on since 1." + gate.ga()
                                + "; it cannot be switched off");
                    }
                }
                case REMOVED -> {
                    if (!value) {
                        throw new IllegalArgumentException(where + "removed in 1." + gate.removed()
                                + " with its behaviour always on; it cannot be switched off");
                    }
                }
                default -> throw new IllegalStateException(gate.name());
            }
        });
        return out;
    }

    static Optional<Gate> find(String name) {
        return KUBEADM.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    private static String names() {
        return String.join(", ", KUBEADM.stream().map(Gate::name).toList());
    }
}
