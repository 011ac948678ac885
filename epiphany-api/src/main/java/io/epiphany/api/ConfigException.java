package io.epiphany.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A cluster description is invalid. Thrown before any host is touched, and lists every problem at once, each with
 * its field (or YAML path), the offending value and what to do.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    private static String format(List<Problem> problems) {
        return problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the cluster description:\n"
                + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
    }

    /** Every problem found. */
    public List<Problem> problems() {
        return problems;
    }
}
