package io.epiphany.kubeadm.engine;

import io.epiphany.api.Machine;
import io.epiphany.api.PlannedStep;
import io.epiphany.api.Taint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Labels and taints each machine declares, plus {@code topology.kubernetes.io/zone} where a zone is declared, set
 * through kubectl on a master. The keys the SDK set are recorded on the Node ({@link #MANAGED_LABELS},
 * {@link #MANAGED_TAINTS}), so a label or taint dropped from the description is removed, and labels and taints set
 * by anyone else are never touched.
 */
final class NodeLabelsPhase implements Phase {
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    static final String MANAGED_LABELS = "epiphany.io/managed-labels";
    static final String MANAGED_TAINTS = "epiphany.io/managed-taints";

    @Override
    public String title() {
        return "Labels and taints";
    }

    static Map<String, String> desiredLabels(Machine m) {
        Map<String, String> labels = new LinkedHashMap<>(m.labels());
        m.zone().ifPresent(z -> labels.put(ZONE_LABEL, z));
        return labels;
    }

    /** What one Node needs: kubectl words for labels, taints to set and remove, and the new record of keys. */
    private record Change(List<String> labels, List<String> taints, List<String> annotations) {
        boolean isEmpty() {
            return labels.isEmpty() && taints.isEmpty() && annotations.isEmpty();
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            if (!labels.isEmpty()) {
                parts.add("label " + labels);
            }
            if (!taints.isEmpty()) {
                parts.add("taint " + taints);
            }
            if (!annotations.isEmpty()) {
                parts.add("record the SDK's keys " + annotations);
            }
            return String.join(", ", parts);
        }
    }

    private static Set<String> recorded(NodeInfo node, String annotation) {
        String value = node.annotations().getOrDefault(annotation, "");
        Set<String> out = new TreeSet<>(Arrays.asList(value.split(",")));
        out.remove("");
        return out;
    }

    /** {@code key=value:Effect} → {@code key:Effect}: how Kubernetes tells taints apart. */
    static String taintId(String taint) {
        int colon = taint.lastIndexOf(':');
        String key = taint.substring(0, colon);
        int eq = key.indexOf('=');
        return (eq < 0 ? key : key.substring(0, eq)) + taint.substring(colon);
    }

    private static Change change(Machine m, NodeInfo node) {
        Map<String, String> want = desiredLabels(m);
        List<String> labels = new ArrayList<>();
        want.forEach((k, v) -> {
            if (!v.equals(node.labels().get(k))) {
                labels.add(k + "=" + v);
            }
        });
        for (String k : recorded(node, MANAGED_LABELS)) {
            if (!want.containsKey(k) && node.labels().containsKey(k)) {
                labels.add(k + "-");
            }
        }
        Set<String> wantTaints = new TreeSet<>();
        m.taints().stream().map(Taint::toString).forEach(wantTaints::add);
        Set<String> wantTaintIds = new TreeSet<>();
        wantTaints.forEach(t -> wantTaintIds.add(taintId(t)));
        List<String> taints = new ArrayList<>();
        for (String t : wantTaints) {
            if (!node.taints().contains(t)) {
                taints.add(t);
            }
        }
        Set<String> recordedTaints = recorded(node, MANAGED_TAINTS);
        for (String t : node.taints()) {
            if (recordedTaints.contains(taintId(t)) && !wantTaintIds.contains(taintId(t))) {
                taints.add(taintId(t) + "-");
            }
        }
        List<String> annotations = new ArrayList<>();
        if (!recorded(node, MANAGED_LABELS).equals(new TreeSet<>(want.keySet()))) {
            annotations.add(MANAGED_LABELS + (want.isEmpty() ? "-" : "=" + String.join(",", new TreeSet<>(want.keySet()))));
        }
        if (!recordedTaints.equals(wantTaintIds)) {
            annotations.add(MANAGED_TAINTS + (wantTaintIds.isEmpty() ? "-" : "=" + String.join(",", wantTaintIds)));
        }
        return new Change(labels, taints, annotations);
    }

    @Override
    public Work prepare(Context ctx) {
        List<Step> steps = new ArrayList<>();
        for (Machine m : ctx.cluster.machines()) {
            // a machine joining in this apply has no Node yet: its labels are planned against an empty one
            NodeInfo node = ctx.facts.node(m.hostname()).orElse(new NodeInfo(m.hostname(), false, "", Map.of(),
                    Set.of(), Map.of(), "", ""));
            Change c = change(m, node);
            if (c.isEmpty()) {
                continue;
            }
            steps.add(new Step(PlannedStep.of(title(), m.hostname(), PlannedStep.Kind.LABEL, c.describe(), null),
                    () -> {
                        Machine source = ctx.requireSource(title());
                        kubectl(ctx, source, "label", m, c.labels());
                        for (String t : c.taints()) {
                            kubectl(ctx, source, "taint", m, List.of(t));
                        }
                        kubectl(ctx, source, "annotate", m, c.annotations());
                    }));
        }
        return Work.inOrder(steps);
    }

    /** {@code kubectl label|taint|annotate node NAME items... --overwrite}, run on a master; nothing when empty. */
    private static void kubectl(Context ctx, Machine source, String verb, Machine m, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of(verb, "node", m.hostname()));
        args.addAll(items);
        args.add("--overwrite");
        ctx.host(source).run(HostCommands.kubectl(args.toArray(String[]::new))).orThrow();
    }
}
