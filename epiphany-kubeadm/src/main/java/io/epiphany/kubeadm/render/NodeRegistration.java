package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.Taint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code nodeRegistration} of a machine's Init or JoinConfiguration. */
final class NodeRegistration {
    /** kubeadm's default taint of a control-plane node, dropped by kubeadm as soon as a taint list is given. */
    static final Taint CONTROL_PLANE = Taint.of("node-role.kubernetes.io/control-plane", null, Taint.Effect.NoSchedule);

    private NodeRegistration() {}

    static Map<String, Object> of(Cluster cluster, Machine machine) {
        KubeadmApi api = KubeadmApi.of(cluster.version());
        return Yaml.map(
                "name", machine.hostname(),
                "criSocket", cluster.criSocket(),
                // The kubelet would otherwise pick the address of the default route, not the one the cluster uses.
                "kubeletExtraArgs", api.args(Map.of("node-ip", machine.ip())),
                "taints", taints(cluster, machine));
    }

    /**
     * {@code null} (key left out) when the machine declares none: kubeadm reads an absent list as "control-plane
     * taint on masters, none on nodes", and an empty list {@code []} as "no taint at all", which is never what an
     * undeclared list means. A master's declared taints come on top of the control-plane taint, which kubeadm would
     * otherwise drop.
     */
    static List<Map<String, Object>> taints(Cluster cluster, Machine machine) {
        if (machine.taints().isEmpty()) {
            return null;
        }
        List<Taint> taints = new ArrayList<>();
        if (cluster.isMaster(machine) && machine.taints().stream().noneMatch(t -> t.key().equals(CONTROL_PLANE.key()))) {
            taints.add(CONTROL_PLANE);
        }
        taints.addAll(machine.taints());
        List<Map<String, Object>> rendered = new ArrayList<>();
        for (Taint t : taints) {
            rendered.add(Yaml.map("key", t.key(), "value", t.value().orElse(null), "effect", t.effect().name()));
        }
        return rendered;
    }
}
