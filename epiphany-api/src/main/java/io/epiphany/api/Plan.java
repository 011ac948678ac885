package io.epiphany.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Cluster#apply(Plan)} would change, computed from the facts gathered on every host: every change per
 * host, in order, and nothing else. A plan of a converged cluster is empty. Applying refuses when the facts changed
 * since the plan was made.
 */
public final class Plan {
    private final Cluster cluster;
    private final List<PlannedStep> steps;
    private final String factsDigest;
    private final List<String> notes;

    public Plan(Cluster cluster, List<PlannedStep> steps, String factsDigest, List<String> notes) {
        this.cluster = cluster;
        this.steps = List.copyOf(steps);
        this.factsDigest = factsDigest;
        this.notes = List.copyOf(notes);
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Every change, in the order it will be made. */
    public List<PlannedStep> steps() {
        return steps;
    }

    /** True when the cluster already matches its description. */
    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Digest of the facts the plan was computed from; applying compares it with fresh facts. */
    public String factsDigest() {
        return factsDigest;
    }

    /** Things the reader of a plan must know that are not changes (e.g. a dead master that will not be cleaned). */
    public List<String> notes() {
        return notes;
    }

    /** Steps grouped by phase, in order. */
    public Map<String, List<PlannedStep>> byPhase() {
        Map<String, List<PlannedStep>> out = new LinkedHashMap<>();
        for (PlannedStep s : steps) {
            out.computeIfAbsent(s.phase(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (steps.isEmpty()) {
            sb.append("Plan: no changes; cluster '").append(cluster.name()).append("' matches its description.\n");
        } else {
            sb.append("Plan: ").append(steps.size()).append(steps.size() == 1 ? " change" : " changes")
                    .append(" to cluster '").append(cluster.name()).append("'\n");
            byPhase().forEach((phase, list) -> {
                sb.append("  ").append(phase).append('\n');
                list.forEach(s -> sb.append("    ").append(s).append('\n'));
            });
        }
        notes.forEach(n -> sb.append("  NOTE: ").append(n).append('\n'));
        return sb.toString();
    }
}
