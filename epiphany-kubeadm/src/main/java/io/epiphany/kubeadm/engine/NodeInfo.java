package io.epiphany.kubeadm.engine;

import java.util.Map;
import java.util.Set;

/**
 * A Node as {@code kubectl get nodes -o json} reports it. Taints in kubectl notation {@code key[=value]:Effect};
 * {@code internalIp} empty when the Node reports none; {@code readyMessage} the Ready condition's reason and message
 * when it is not True (what the kubelet or the node controller said).
 */
record NodeInfo(String name, boolean ready, String readyMessage, Map<String, String> labels, Set<String> taints,
        Map<String, String> annotations, String internalIp, String kubeletVersion) {
    static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

    boolean controlPlane() {
        return labels.containsKey(CONTROL_PLANE_LABEL);
    }
}
