package io.epiphany.api;

import java.util.regex.Pattern;

/**
 * One thing wrong with a cluster description: where (a builder property such as {@code masters[1].ip} or a YAML
 * path), the offending value, and what to do. The value is kept short ({@value #MAX_VALUE} characters, then
 * {@code …(N chars)}) and is never shown when it looks like key material, so an error message stays readable and a
 * secret written in the wrong place does not end up in a log.
 */
public final class Problem {
    /** Longest value echoed; the rest is summarised by its length. */
    static final int MAX_VALUE = 80;
    /** Longest message: ours are far shorter; only quoted user text could make one longer. */
    static final int MAX_MESSAGE = 1000;
    /** Longest field (YAML paths include names the user wrote). */
    static final int MAX_FIELD = 200;
    /**
     * Text that looks like a secret: a long base64 run (an encryption key is 44 characters), a kubeadm bootstrap
     * token, a PEM block.
     */
    private static final Pattern TOKEN_OR_PEM = Pattern.compile(
            "(^|[^a-z0-9])[a-z0-9]{6}\\.[a-z0-9]{16}([^a-z0-9]|$)|-----BEGIN|PRIVATE KEY");
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{40,}");

    private final String field;
    private final String value;
    private final String message;

    public Problem(String field, Object value, String message) {
        this(field == null ? null : shorten(field, MAX_FIELD), value == null ? null : brief(String.valueOf(value)),
                message == null ? null : shorten(withBriefValue(message, value), MAX_MESSAGE), true);
    }

    /** A message that quotes the value quotes it in its brief form too. */
    private static String withBriefValue(String message, Object value) {
        String raw = value == null ? "" : String.valueOf(value);
        String shown = brief(raw);
        return raw.isEmpty() || raw.equals(shown) ? message : message.replace(raw, shown);
    }

    private Problem(String field, String value, String message, boolean alreadyBrief) {
        this.field = field;
        this.value = value;
        this.message = message;
    }

    /**
     * A user value as it may appear in a message: hidden when it looks like key material, otherwise at most
     * {@value #MAX_VALUE} characters with the full length given.
     */
    static String brief(String value) {
        if (looksSecret(value)) {
            return "****(" + value.length() + " chars, hidden: it looks like key material)";
        }
        return shorten(value, MAX_VALUE);
    }

    /** A long base64 run with upper case, lower case and digits (random key material), a token or a PEM block. */
    static boolean looksSecret(String value) {
        if (TOKEN_OR_PEM.matcher(value).find()) {
            return true;
        }
        java.util.regex.Matcher run = BASE64_RUN.matcher(value);
        while (run.find()) {
            String r = run.group();
            if (r.chars().anyMatch(Character::isUpperCase) && r.chars().anyMatch(Character::isLowerCase)
                    && r.chars().anyMatch(Character::isDigit)) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + " chars)";
    }

    public String field() {
        return field;
    }

    /** The offending value as text (shortened, secrets hidden); null when the value is missing. */
    public String value() {
        return value;
    }

    public String message() {
        return message;
    }

    Problem atField(String newField) {
        return new Problem(newField == null ? null : shorten(newField, MAX_FIELD), value, message, true);
    }

    @Override
    public String toString() {
        return field + (value == null ? "" : " = '" + value + "'") + ": " + message;
    }
}
