package io.epiphany.kubeadm.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The operating systems host preparation supports, from {@code /etc/os-release} (os-release(5)): Debian 12 and 13,
 * Ubuntu 22.04 and 24.04 (apt), and the RHEL 9 family (dnf). The distribution names the container-runtime repository's
 * path and, on the Debian family, its codename the apt suite.
 */
enum OsFamily {
    DEBIAN("debian"), UBUNTU("ubuntu"), RHEL("rhel");

    /** The container-runtime repository's path segment. */
    final String distribution;

    OsFamily(String distribution) {
        this.distribution = distribution;
    }

    boolean apt() {
        return this != RHEL;
    }

    /** The family, when the release is one of the supported ones. */
    static Optional<OsFamily> of(Map<String, String> osRelease) {
        String id = osRelease.getOrDefault("ID", "");
        String like = osRelease.getOrDefault("ID_LIKE", "");
        String version = osRelease.getOrDefault("VERSION_ID", "");
        if (id.equals("debian") && (version.equals("12") || version.equals("13"))) {
            return Optional.of(DEBIAN);
        }
        if (id.equals("ubuntu") && (version.equals("22.04") || version.equals("24.04"))) {
            return Optional.of(UBUNTU);
        }
        boolean rhelLike = id.equals("rhel") || (" " + like + " ").contains(" rhel ");
        if (rhelLike && version.matches("9(\\.\\d+)?")) {
            return Optional.of(RHEL);
        }
        return Optional.empty();
    }

    /** {@code KEY=value} lines, values unquoted. */
    static Map<String, String> parse(String osRelease) {
        Map<String, String> out = new HashMap<>();
        for (String line : osRelease.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0 || line.startsWith("#")) {
                continue;
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))
                    && value.endsWith(value.substring(0, 1))) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(line.substring(0, eq).strip(), value);
        }
        return out;
    }

    static String describe(Map<String, String> osRelease) {
        return osRelease.getOrDefault("PRETTY_NAME", osRelease.getOrDefault("ID", "unknown") + " "
                + osRelease.getOrDefault("VERSION_ID", ""));
    }
}
