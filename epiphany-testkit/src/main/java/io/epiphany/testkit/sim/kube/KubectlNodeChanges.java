package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED changes {@code kubectl} makes to one Node object ({@code label}, {@code annotate}, {@code taint},
 * {@code cordon}, {@code uncordon}), each returning kubectl's output or its "error: ..." text; {@link Kubectl} finds
 * the Node through the API and prints the result.
 */
final class KubectlNodeChanges {
    private KubectlNodeChanges() {}

    /** {@code label node <name> k=v... [--overwrite]} and {@code k-}; an existing value needs --overwrite. */
    static String label(Invocation inv, SimulationState.Node n, List<String> specs) {
        boolean overwrite = inv.args().contains("--overwrite");
        List<String> out = new ArrayList<>();
        boolean changed = false;
        for (String spec : specs) {
            if (spec.endsWith("-")) {
                String key = spec.substring(0, spec.length() - 1);
                if (n.labels.remove(key) == null) {
                    out.add("label \"" + key + "\" not found.");
                } else {
                    changed = true;
                }
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                return "error: invalid label spec: " + spec;
            }
            String key = spec.substring(0, eq);
            String value = spec.substring(eq + 1);
            String old = n.labels.get(key);
            if (old != null && !old.equals(value) && !overwrite) {
                return "error: '" + key + "' already has a value (" + old + "), and --overwrite is false";
            }
            changed |= !value.equals(old);
            n.labels.put(key, value);
        }
        boolean removing = specs.stream().allMatch(x -> x.endsWith("-"));
        // kubectl's updateDataChangeMsg: "not labeled" when nothing changed
        out.add("node/" + n.name + (changed ? (removing ? " unlabeled" : " labeled") : " not labeled"));
        return String.join("\n", out);
    }

    /** {@code annotate node <name> k=v... [--overwrite]} and {@code k-}; an existing value needs --overwrite. */
    static String annotate(Invocation inv, SimulationState.Node n, List<String> specs) {
        boolean overwrite = inv.args().contains("--overwrite");
        if (specs.isEmpty()) {
            return "error: at least one annotation update is required";
        }
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (!spec.endsWith("-") && eq <= 0) {
                return "error: invalid annotation format: " + spec;
            }
            String old = eq > 0 ? n.annotations.get(spec.substring(0, eq)) : null;
            if (eq > 0 && old != null && !overwrite) {
                // kubectl annotate's validateNoAnnotationOverwrites
                return "error: --overwrite is false but found the following declared annotation(s): '"
                        + spec.substring(0, eq) + "' already has a value (" + old + ")";
            }
        }
        for (String spec : specs) {
            if (spec.endsWith("-") && !spec.contains("=")) {
                n.annotations.remove(spec.substring(0, spec.length() - 1));
            } else {
                int eq = spec.indexOf('=');
                n.annotations.put(spec.substring(0, eq), spec.substring(eq + 1));
            }
        }
        return "node/" + n.name + " annotated";
    }

    /**
     * {@code taint node <name> key[=value]:Effect... [--overwrite]} and {@code key[:Effect]-}; a taint of the same
     * key and effect needs --overwrite.
     */
    static String taint(Invocation inv, SimulationState.Node n, List<String> specs) {
        boolean overwrite = inv.args().contains("--overwrite");
        boolean removed = false;
        for (String spec : specs) {
            if (spec.endsWith("-")) {
                String body = spec.substring(0, spec.length() - 1);
                int colon = body.indexOf(':');
                String key = (colon < 0 ? body : body.substring(0, colon)).replaceFirst("=.*", "");
                String effect = colon < 0 ? null : body.substring(colon + 1);
                boolean any = n.taints.removeIf(t -> t.key.equals(key) && (effect == null || t.effect.equals(effect)));
                if (!any) {
                    return "error: taint \"" + body + "\" not found";
                }
                removed = true;
                continue;
            }
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) {
                return "error: invalid taint spec: " + spec;
            }
            String kv = spec.substring(0, colon);
            String effect = spec.substring(colon + 1);
            if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                return "error: invalid taint effect: " + effect + ", unsupported taint effect";
            }
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq);
            String value = eq < 0 ? null : kv.substring(eq + 1);
            Optional<SimulationState.Taint> existing = n.taints.stream()
                    .filter(t -> t.key.equals(key) && t.effect.equals(effect)).findFirst();
            if (existing.isPresent() && !overwrite) {
                return "error: node " + n.name + " already has " + key + " taint(s) with same effect(s) and "
                        + "--overwrite is false";
            }
            existing.ifPresent(n.taints::remove);
            SimulationState.Taint t = new SimulationState.Taint();
            t.key = key;
            t.value = value;
            t.effect = effect;
            n.taints.add(t);
        }
        return "node/" + n.name + (removed ? " untainted" : " tainted");
    }

    /** {@code cordon} / {@code uncordon}: the Node's unschedulable flag. */
    static String cordon(SimulationState.Node n, boolean cordon) {
        if (n.unschedulable == cordon) {
            return "node/" + n.name + " already " + (cordon ? "cordoned" : "uncordoned");
        }
        n.unschedulable = cordon;
        return "node/" + n.name + (cordon ? " cordoned" : " uncordoned");
    }
}
