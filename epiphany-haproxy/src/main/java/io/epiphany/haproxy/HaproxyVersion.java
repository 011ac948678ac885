package io.epiphany.haproxy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HAProxy branch a configuration is rendered for, as a host's {@code haproxy -v} prints it: 2.4 (RHEL 9), 2.6
 * (Debian 12), 2.8 (Ubuntu 24.04, RHEL 9.4+), 3.x. The renderer writes for one branch only the keywords that branch
 * knows.
 */
public record HaproxyVersion(int major, int minor) implements Comparable<HaproxyVersion> {
    /** The oldest branch the SDK renders for: RHEL 9's. */
    public static final HaproxyVersion V2_4 = new HaproxyVersion(2, 4);
    /** Debian 12's. */
    public static final HaproxyVersion V2_6 = new HaproxyVersion(2, 6);
    /** Ubuntu 24.04's. */
    public static final HaproxyVersion V2_8 = new HaproxyVersion(2, 8);
    /** The 3.0 LTS branch. */
    public static final HaproxyVersion V3_0 = new HaproxyVersion(3, 0);
    /** The 3.2 LTS branch. */
    public static final HaproxyVersion V3_2 = new HaproxyVersion(3, 2);

    // "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"; 2.4 and older also print "HA-Proxy".
    private static final Pattern VERSION = Pattern.compile("HA-?Proxy version (\\d+)\\.(\\d+)");

    public HaproxyVersion {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("not an HAProxy version: " + major + "." + minor);
        }
    }

    /**
     * The branch in the output of {@code haproxy -v}.
     *
     * @throws IllegalArgumentException when the output names no HAProxy version
     */
    public static HaproxyVersion parse(String haproxyVersionOutput) {
        Matcher m = VERSION.matcher(haproxyVersionOutput == null ? "" : haproxyVersionOutput);
        if (!m.find()) {
            throw new IllegalArgumentException("no HAProxy version in the output of 'haproxy -v': '"
                    + (haproxyVersionOutput == null ? "" : haproxyVersionOutput.strip()) + "'");
        }
        return new HaproxyVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean atLeast(HaproxyVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(HaproxyVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
