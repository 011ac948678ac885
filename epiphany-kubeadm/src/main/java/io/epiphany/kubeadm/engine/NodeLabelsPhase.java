package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.Taint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Labels and taints each machine declares, plus {@code topology.kubernetes.io/zone} where a zone is declared, set
 * through kubectl on a master. Labels and taints the SDK did not declare are left alone.
 */
final class NodeLabelsPhase implements Phase {
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    @Override
    public String title() {
        return "Labels and taints";
    }

    static Map<String, String> desiredLabels(Machine m) {
        Map<String, String> labels = new LinkedHashMap<>(m.labels());
        m.zone().ifPresent(z -> labels.put(ZONE_LABEL, z));
        return labels;
    }

    private static List<String> missingLabels(Context ctx, Machine m) {
        Optional<NodeInfo> node = ctx.facts.node(m.hostname());
        List<String> out = new ArrayList<>();
        desiredLabels(m).forEach((k, v) -> {
            if (node.isEmpty() || !v.equals(node.get().labels().get(k))) {
                out.add(k + "=" + v);
            }
        });
        return out;
    }

    private static List<String> missingTaints(Context ctx, Machine m) {
        Set<String> have = ctx.facts.node(m.hostname()).map(NodeInfo::taints).orElse(Set.of());
        List<String> out = new ArrayList<>();
        for (Taint t : m.taints()) {
            if (!have.contains(t.toString())) {
                out.add(t.toString());
            }
        }
        return out;
    }

    @Override
    public List<PlannedStep> plan(Context ctx) {
        List<PlannedStep> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            List<String> labels = missingLabels(ctx, m);
            List<String> taints = missingTaints(ctx, m);
            if (!labels.isEmpty() || !taints.isEmpty()) {
                steps.add(new PlannedStep(title(), m.hostname(), (labels.isEmpty() ? "" : "label " + labels)
                        + (labels.isEmpty() || taints.isEmpty() ? "" : ", ") + (taints.isEmpty() ? "" : "taint " + taints),
                        null));
            }
        }
        return steps;
    }

    /** {@code kubectl label|taint node NAME items... --overwrite}, run on a master; nothing when there are no items. */
    private static void kubectlOnNode(Context ctx, Machine source, String verb, Machine m, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of(verb, "node", m.hostname()));
        args.addAll(items);
        args.add("--overwrite");
        ctx.host(source).run(HostCommands.kubectl(args.toArray(String[]::new))).orThrow();
    }

    @Override
    public void run(Context ctx) {
        Machine source = ctx.requireSource(title());
        for (PlannedStep s : plan(ctx)) {
            Machine m = ctx.cluster.machine(s.host()).orElseThrow();
            ctx.step(s, () -> {
                kubectlOnNode(ctx, source, "label", m, missingLabels(ctx, m));
                kubectlOnNode(ctx, source, "taint", m, missingTaints(ctx, m));
            });
        }
    }
}
