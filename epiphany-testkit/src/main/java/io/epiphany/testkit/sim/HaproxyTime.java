package io.epiphany.testkit.sim;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy's time values ({@code timeout}, {@code inter} and the like): a number with an optional unit {@code us},
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}, milliseconds without one (the configuration manual,
 * "2.5. Time format"). One parser for the SIMULATED HAProxy's config check and its runtime's check timing.
 */
final class HaproxyTime {
    private static final Pattern TIME = Pattern.compile("(\\d+)(us|ms|s|m|h|d)?");

    private HaproxyTime() {
    }

    /** The value in nanoseconds; empty when it is not a time value. */
    static OptionalLong nanos(String value) {
        Matcher m = TIME.matcher(value);
        if (!m.matches() || m.group(1).length() > 12) {
            return OptionalLong.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return OptionalLong.of(switch (unit) {
            case "us" -> n * 1_000L;
            case "ms" -> n * 1_000_000L;
            case "s" -> n * 1_000_000_000L;
            case "m" -> n * 60_000_000_000L;
            case "h" -> n * 3_600_000_000_000L;
            default -> n * 86_400_000_000_000L;
        });
    }
}
