package io.epiphany.kubeadm.engine;

import java.util.Map;
import java.util.Set;

/**
 * A Node as {@code kubectl get nodes -o json} reports it. Taints in kubectl notation {@code key[=value]:Effect};
 * {@code internalIp} empty when the Node reports none.
 */
record NodeInfo(String name, boolean ready, Map<String, String> labels, Set<String> taints, String internalIp) {
    static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

    boolean controlPlane() {
        return labels.containsKey(CONTROL_PLANE_LABEL);
    }
}
