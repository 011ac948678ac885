package io.epiphany.api;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Kubernetes release {@code major.minor.patch}, and the range of releases the SDK supports. */
public final class KubernetesVersion implements Comparable<KubernetesVersion> {
    /** The default: a current stable release with the kubeadm v1beta4 API. */
    public static final String DEFAULT = "1.34.2";
    /** Oldest supported minor (kubeadm v1beta3 config). */
    public static final KubernetesVersion MIN = new KubernetesVersion(1, 30, 0);
    /** Newest supported minor. */
    public static final KubernetesVersion MAX_MINOR = new KubernetesVersion(1, 36, 0);

    private static final Pattern FORMAT = Pattern.compile("v?(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,4})");

    private final int major;
    private final int minor;
    private final int patch;

    private KubernetesVersion(int major, int minor, int patch) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
    }

    /** Parses {@code 1.34.2} or {@code v1.34.2}; empty when the text is not a version. */
    public static Optional<KubernetesVersion> parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.trim());
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new KubernetesVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))));
    }

    /** Parses a version, failing with a message that names the text. */
    public static KubernetesVersion of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not a Kubernetes version; write it as 1.34.2"));
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    public int patch() {
        return patch;
    }

    /** True when this release's minor is within the supported range. */
    public boolean isSupported() {
        return major == 1 && minor >= MIN.minor && minor <= MAX_MINOR.minor;
    }

    /** True from {@code 1.minor} on. */
    public boolean atLeast(int minorVersion) {
        return major > 1 || (major == 1 && minor >= minorVersion);
    }

    @Override
    public int compareTo(KubernetesVersion o) {
        int c = Integer.compare(major, o.major);
        c = c != 0 ? c : Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KubernetesVersion && compareTo((KubernetesVersion) o) == 0;
    }

    @Override
    public int hashCode() {
        return (major * 1000 + minor) * 10000 + patch;
    }

    /** {@code v1.34.2}, as kubeadm writes it. */
    @Override
    public String toString() {
        return "v" + major + "." + minor + "." + patch;
    }
}
