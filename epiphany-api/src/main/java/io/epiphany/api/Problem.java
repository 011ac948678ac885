package io.epiphany.api;

/**
 * One thing wrong with a cluster description: where (a builder property such as {@code masters[1].ip} or a YAML
 * path), the offending value, and what to do.
 */
public final class Problem {
    private final String field;
    private final String value;
    private final String message;

    public Problem(String field, Object value, String message) {
        this.field = field;
        this.value = value == null ? null : String.valueOf(value);
        this.message = message;
    }

    public String field() {
        return field;
    }

    /** The offending value as text; null when the value is missing. */
    public String value() {
        return value;
    }

    public String message() {
        return message;
    }

    Problem atField(String newField) {
        return new Problem(newField, value, message);
    }

    @Override
    public String toString() {
        return field + (value == null ? "" : " = '" + value + "'") + ": " + message;
    }
}
