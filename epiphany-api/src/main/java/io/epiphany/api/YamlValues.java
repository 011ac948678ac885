package io.epiphany.api;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Value notations of the YAML format: Go-style durations, policy names, did-you-mean hints. */
final class YamlValues {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private YamlValues() {}

    /** Parses {@code 10s}, {@code 1m30s}, {@code 500ms}. */
    static Optional<Duration> parseDuration(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            long n = Long.parseLong(m.group(1));
            try {
                switch (m.group(2)) {
                    case "ms" -> total = total.plusMillis(n);
                    case "s" -> total = total.plusSeconds(n);
                    case "m" -> total = total.plusMinutes(n);
                    default -> total = total.plusHours(n);
                }
            } catch (ArithmeticException e) {
                return Optional.empty(); // beyond Duration's range: not a duration anyone means
            }
            end = m.end();
        }
        return end == text.length() ? Optional.of(total) : Optional.empty();
    }

    static String formatDuration(Duration d) {
        if (d.toMillisPart() != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        StringBuilder sb = new StringBuilder();
        if (d.toHours() > 0) {
            sb.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        return sb.toString();
    }

    static String policyName(HostKeyPolicy p) {
        return p.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Optional<HostKeyPolicy> parsePolicy(String text) {
        for (HostKeyPolicy p : HostKeyPolicy.values()) {
            if (policyName(p).equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** " (did you mean 'x'?)" for the closest candidate within a small edit distance, or "". */
    static String didYouMean(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(given.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best != null && bestDistance <= Math.max(2, given.length() / 3)) {
            return " (did you mean '" + best + "'?)";
        }
        return "";
    }

    private static int distance(String a, String b) {
        if (a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code sshPort} → {@code ssh_port}. */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
