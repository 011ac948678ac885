package io.epiphany.kubeadm.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes documents built from ordered maps and lists. Every string is double-quoted: kubeadm decodes YAML through
 * JSON, so an unquoted {@code false} or {@code 30} would not decode into a string field.
 */
final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private Yaml() {}

    /** A map in the order given; a {@code null} value leaves its key out (how optional fields stay unset). */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }

    /** The documents separated by {@code ---}, after a comment header. */
    static String documents(String header, List<Map<String, Object>> docs) {
        StringBuilder out = new StringBuilder(header);
        for (int i = 0; i < docs.size(); i++) {
            if (i > 0) {
                out.append("---\n");
            }
            try {
                out.append(MAPPER.writeValueAsString(docs.get(i)));
            } catch (JsonProcessingException e) {
                // Only maps, lists, strings, numbers and booleans reach here: a failure is a bug in this module.
                throw new IllegalStateException("cannot write YAML document " + (i + 1), e);
            }
        }
        return out.toString();
    }
}
