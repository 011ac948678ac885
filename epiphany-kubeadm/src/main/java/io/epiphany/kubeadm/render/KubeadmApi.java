package io.epiphany.kubeadm.render;

import io.epiphany.api.KubernetesVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kubeadm configuration API a Kubernetes release gets: {@code v1beta4} from 1.31 (the only one 1.36 accepts),
 * {@code v1beta3} for 1.30 (the only one it accepts). They differ, for what the SDK renders, only in the shape of
 * {@code extraArgs} and {@code kubeletExtraArgs}.
 */
public enum KubeadmApi {
    /** kubeadm 1.22–1.35: flags as a {@code name: value} map. */
    V1BETA3("kubeadm.k8s.io/v1beta3"),
    /** kubeadm 1.31 on: flags as a list of {@code {name, value}} (duplicates allowed). */
    V1BETA4("kubeadm.k8s.io/v1beta4");

    private final String apiVersion;

    KubeadmApi(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    /** The API for a release. */
    public static KubeadmApi of(KubernetesVersion version) {
        return version.atLeast(31) ? V1BETA4 : V1BETA3;
    }

    /** The {@code apiVersion} of its documents. */
    public String apiVersion() {
        return apiVersion;
    }

    /** Component flags in this API's shape; values stay strings (they are rendered quoted). */
    Object args(Map<String, String> flags) {
        if (this == V1BETA3) {
            return new LinkedHashMap<>(flags);
        }
        List<Map<String, Object>> list = new ArrayList<>();
        flags.forEach((name, value) -> list.add(Yaml.map("name", name, "value", value)));
        return list;
    }
}
