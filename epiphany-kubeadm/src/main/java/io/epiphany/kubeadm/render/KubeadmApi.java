package io.epiphany.kubeadm.render;

import io.epiphany.api.KubernetesVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kubeadm configuration API the SDK renders: {@code v1beta4}, the only one kubeadm 1.36 and later accept
 * ({@code v1beta3} was removed in 1.36, kubernetes/kubernetes#136016; the {@code v1} added in 1.36 is an experimental
 * placeholder that cannot be used yet). Every supported release (1.35 to 1.37) reads it.
 */
public enum KubeadmApi {
    /** kubeadm 1.31 on: flags as a list of {@code {name, value}} (duplicates allowed). */
    V1BETA4("kubeadm.k8s.io/v1beta4");

    /** The first minor whose kubeadm reads {@code v1beta4} (kubernetes/kubernetes#125029). */
    static final int FIRST_MINOR = 31;

    private final String apiVersion;

    KubeadmApi(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    /**
     * The API for a release.
     *
     * @throws IllegalArgumentException for a release whose kubeadm does not read {@code v1beta4} (the model refuses
     *     those long before: only supported releases reach the renderers)
     */
    public static KubeadmApi of(KubernetesVersion version) {
        if (!version.atLeast(FIRST_MINOR)) {
            throw new IllegalArgumentException("Kubernetes " + version + " predates kubeadm's v1beta4 configuration API "
                    + "(1." + FIRST_MINOR + " on), the only one the SDK renders; use " + KubernetesVersion.supportedRange());
        }
        return V1BETA4;
    }

    /** The {@code apiVersion} of its documents. */
    public String apiVersion() {
        return apiVersion;
    }

    /** Component flags in this API's shape, a list of {@code {name, value}}; values stay strings (rendered quoted). */
    Object args(Map<String, String> flags) {
        List<Map<String, Object>> list = new ArrayList<>();
        flags.forEach((name, value) -> list.add(Yaml.map("name", name, "value", value)));
        return list;
    }
}
