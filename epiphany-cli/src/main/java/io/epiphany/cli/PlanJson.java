package io.epiphany.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epiphany.api.Plan;
import io.epiphany.api.PlannedStep;

/**
 * A plan as JSON, built field by field from the public getters (never by reflecting over the SDK's classes, so the
 * JSON changes only when this file does): {@code {"cluster", "changes", "steps": [{"phase", "host", "action",
 * "quorum"}], "notes"}}; {@code quorum} is null for steps that do not change etcd membership, {@code host} is
 * {@code "cluster"} for cluster-wide steps.
 */
final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {}

    static String write(Plan plan) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("cluster", plan.cluster().name());
        root.put("changes", plan.steps().size());
        ArrayNode steps = root.putArray("steps");
        for (PlannedStep s : plan.steps()) {
            ObjectNode step = steps.addObject();
            step.put("phase", s.phase());
            step.put("host", s.host());
            step.put("kind", s.kind().name());
            step.put("action", s.action());
            step.put("quorum", s.quorum().orElse(null));
        }
        ArrayNode findings = root.putArray("findings");
        plan.findings().forEach(f -> findings.addObject().put("host", f.host()).put("problem", f.problem())
                .put("remedy", f.remedy()));
        ArrayNode notes = root.putArray("notes");
        plan.notes().forEach(notes::add);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }
}
