package io.epiphany.testkit.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED conditional blocks of {@code haproxy.cfg} ({@code .if}, {@code .elif}, {@code .else}, {@code .endif};
 * HAProxy's configuration manual, section 2.4, since 2.4): the predicates {@code version_atleast(V)} and
 * {@code version_before(V)}, optionally negated with {@code !}, evaluated against the SIMULATED HAProxy's version.
 * Other predicates and operators are refused with HAProxy's alert, so a config the simulation cannot judge fails
 * here rather than passing untested. Messages as in HAProxy 2.6's {@code src/cfgparse.c} and {@code src/cfgcond.c}.
 */
final class HaproxyConditions {
    private record Level(boolean active, boolean taken, boolean sawElse) {}

    private final String version;
    private final Deque<Level> levels = new ArrayDeque<>();

    HaproxyConditions(String version) {
        this.version = version;
    }

    /** Whether lines are read at this point (every enclosing block is taken). */
    boolean active() {
        return levels.isEmpty() || levels.peek().active();
    }

    /**
     * Reads one directive line ({@code words[0]} starts with a dot); returns an alert, if any.
     *
     * @param at the line's {@code parsing [file:N]} prefix
     */
    Optional<String> directive(String at, String[] words, String line) {
        String expression = line.substring(words[0].length()).strip();
        String where = at.replace("] : ", "]: ");
        switch (words[0]) {
            case ".if" -> {
                boolean parentActive = active();
                Optional<Boolean> value = evaluate(expression);
                if (value.isEmpty()) {
                    levels.push(new Level(false, true, false));
                    return Optional.of(unparsable(where, ".if", expression));
                }
                levels.push(new Level(parentActive && value.get(), value.get(), false));
            }
            case ".elif" -> {
                if (levels.isEmpty()) {
                    return Optional.of(where + "lone '.elif' with no matching '.if'.");
                }
                Level l = levels.pop();
                if (l.sawElse()) {
                    levels.push(l);
                    return Optional.of(where + "'.elif' after '.else' is not permitted.");
                }
                boolean parentActive = active();
                Optional<Boolean> value = evaluate(expression);
                if (value.isEmpty()) {
                    levels.push(new Level(false, true, false));
                    return Optional.of(unparsable(where, ".elif", expression));
                }
                boolean now = !l.taken() && value.get();
                levels.push(new Level(parentActive && now, l.taken() || now, false));
            }
            case ".else" -> {
                if (levels.isEmpty()) {
                    return Optional.of(where + "lone '.else' with no matching '.if'.");
                }
                Level l = levels.pop();
                if (l.sawElse()) {
                    levels.push(l);
                    return Optional.of(where + "'.else' after '.else' is not permitted.");
                }
                levels.push(new Level(active() && !l.taken(), true, true));
            }
            case ".endif" -> {
                if (levels.isEmpty()) {
                    return Optional.of(where + "lone '.endif' with no matching '.if'.");
                }
                levels.pop();
            }
            default -> {
                if (active()) {
                    return Optional.of(at + "unknown keyword '" + words[0] + "' out of section.");
                }
            }
        }
        return Optional.empty();
    }

    /** At the end of the file: HAProxy's alert when a block is still open. */
    Optional<String> end(String at) {
        return levels.isEmpty() ? Optional.empty()
                : Optional.of(at.replace("] : ", "]: ") + "non-terminated '.if' block.");
    }

    private Optional<Boolean> evaluate(String expression) {
        boolean negate = expression.startsWith("!");
        String term = negate ? expression.substring(1).strip() : expression;
        for (String predicate : List.of("version_atleast", "version_before")) {
            if (term.startsWith(predicate + "(") && term.endsWith(")")) {
                String wanted = term.substring(predicate.length() + 1, term.length() - 1).strip();
                if (!wanted.matches("\\d+(\\.\\d+)*")) {
                    return Optional.empty();
                }
                boolean atLeast = compare(version, wanted) >= 0;
                boolean result = predicate.equals("version_atleast") == atLeast;
                return Optional.of(negate != result);
            }
        }
        return Optional.empty();
    }

    /** Dotted versions compared component by component, missing components as zero (as HAProxy does). */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0,
                    i < y.length ? Integer.parseInt(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String unparsable(String where, String directive, String expression) {
        return where + "unparsable conditional expression '" + expression + "' in '" + directive
                + "' at position 1";
    }
}
