package io.epiphany.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Cluster#apply(Plan)} would change, computed from the facts gathered on every host: every change per
 * host, in order, and what is wrong with the running cluster ({@link #findings()}). A plan is empty only when the
 * cluster is healthy and matches its description. Applying a plan re-gathers the facts and refuses when they, or the
 * steps they lead to, differ from this plan's: a plan cannot make the engine do anything it would not plan itself.
 */
public final class Plan {
    private final Cluster cluster;
    private final List<PlannedStep> steps;
    private final List<Finding> findings;
    private final String factsDigest;
    private final List<String> notes;

    private Plan(Cluster cluster, List<PlannedStep> steps, List<Finding> findings, String factsDigest,
            List<String> notes) {
        this.cluster = cluster;
        this.steps = List.copyOf(steps);
        this.findings = List.copyOf(findings);
        this.factsDigest = factsDigest;
        this.notes = List.copyOf(notes);
    }

    /** For engines: a plan of these steps and findings, made from facts with this digest. */
    public static Plan of(Cluster cluster, List<PlannedStep> steps, List<Finding> findings, String factsDigest,
            List<String> notes) {
        return new Plan(cluster, steps, findings, factsDigest, notes);
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Every change, in the order it will be made. */
    public List<PlannedStep> steps() {
        return steps;
    }

    /** What is wrong with the running cluster; each says what the plan does about it or what to do. */
    public List<Finding> findings() {
        return findings;
    }

    /** True when the cluster already matches its description and nothing is wrong with it. */
    public boolean isEmpty() {
        return steps.isEmpty() && findings.isEmpty();
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
        if (isEmpty()) {
            sb.append("Plan: no changes; cluster '").append(cluster.name()).append("' matches its description.\n");
        } else {
            sb.append("Plan: ").append(steps.size()).append(steps.size() == 1 ? " change" : " changes")
                    .append(" to cluster '").append(cluster.name()).append("'");
            if (!findings.isEmpty()) {
                sb.append("; ").append(findings.size()).append(findings.size() == 1 ? " finding" : " findings");
            }
            sb.append('\n');
            findings.forEach(f -> sb.append("  FINDING ").append(f).append('\n'));
            byPhase().forEach((phase, list) -> {
                sb.append("  ").append(phase).append('\n');
                list.forEach(s -> sb.append("    ").append(s).append('\n'));
            });
        }
        notes.forEach(n -> sb.append("  NOTE: ").append(n).append('\n'));
        return sb.toString();
    }
}
