package io.epiphany.api;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes release {@code major.minor.patch}, and the releases the SDK supports.
 *
 * <p>The rule, fixed per SDK release and independent of the clock: a version is supported when its minor is one of
 * the upstream-supported minors this SDK release renders and tests, 1.35 to 1.37, in any patch (a patch release
 * changes neither kubeadm's configuration API nor its feature gates). Older minors are out of upstream support. The
 * next minor, 1.38, is announced for 2026-12-16 but not out: it is refused until an SDK release made after it is out
 * checks its kubeadm (config API, feature gates) and adds it here. Anything newer is unknown. Source of the support
 * window and the dates: the team's reference kubernetes-2026.md ("Upstream-supported minors today: 1.35, 1.36, 1.37
 * (1.38 once released)"; "1.37.0 released 2026-08-26; 1.38 targeted for 2026-12-16").
 */
public final class KubernetesVersion implements Comparable<KubernetesVersion> {
    /**
     * The default: 1.37.0, the newest minor's first release (2026-08-26 per kubernetes-2026.md). It is the newest
     * 1.37 patch the SDK's sources name; later 1.37 patches very likely exist (upstream publishes patches about
     * monthly) but could not be confirmed, and a default must be a release that certainly exists, because hosts
     * install exactly this version. Set a newer patch with {@code kubernetesVersion("1.37.N")}.
     */
    public static final String DEFAULT = "1.37.0";
    /** The oldest supported minor, 1.35. */
    public static final KubernetesVersion MIN = new KubernetesVersion(1, 35, 0);
    /** The newest supported minor, 1.37. */
    public static final KubernetesVersion MAX_MINOR = new KubernetesVersion(1, 37, 0);
    /** The announced, not yet released minor, 1.38: refused by this SDK release. */
    static final KubernetesVersion NEXT_MINOR = new KubernetesVersion(1, 38, 0);
    /** The day {@link #NEXT_MINOR} is planned for (kubernetes-2026.md), quoted in the refusal. */
    static final String NEXT_MINOR_RELEASE_DATE = "2026-12-16";

    private static final Pattern FORMAT = Pattern.compile("v?(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,4})");

    private final int major;
    private final int minor;
    private final int patch;

    private KubernetesVersion(int major, int minor, int patch) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
    }

    /** Parses {@code 1.37.0} or {@code v1.37.0}; empty when the text is not a version. */
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
                "'" + text + "' is not a Kubernetes version; write it as " + DEFAULT));
    }

    /** The supported range as users write it: {@code 1.35.x to 1.37.x}. */
    public static String supportedRange() {
        return minorText(MIN) + ".x to " + minorText(MAX_MINOR) + ".x";
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

    /** True when this release's minor is within the supported range (see the class comment for the rule). */
    public boolean isSupported() {
        return major == 1 && minor >= MIN.minor && minor <= MAX_MINOR.minor;
    }

    /**
     * Why this release is refused, with the supported range; empty when it {@link #isSupported() is supported}.
     * Distinguishes a minor out of upstream support, the announced minor that is not out yet, and an unknown one.
     */
    public Optional<String> whyUnsupported() {
        if (isSupported()) {
            return Optional.empty();
        }
        String range = "outside the supported range " + supportedRange() + ": ";
        String reason;
        if (major == 1 && minor < MIN.minor) {
            reason = minorText(this) + " is out of upstream support; choose " + minorText(MIN) + " or newer";
        } else if (major == 1 && minor == NEXT_MINOR.minor) {
            reason = minorText(this) + " is planned for " + NEXT_MINOR_RELEASE_DATE + " and not supported by this SDK "
                    + "release yet; use " + minorText(MAX_MINOR) + " until an SDK release adds " + minorText(this);
        } else {
            reason = "no such Kubernetes minor is known to this SDK release; the newest is " + minorText(MAX_MINOR);
        }
        return Optional.of(range + reason);
    }

    /** True from {@code 1.minor} on. */
    public boolean atLeast(int minorVersion) {
        return major > 1 || (major == 1 && minor >= minorVersion);
    }

    private static String minorText(KubernetesVersion v) {
        return v.major + "." + v.minor;
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

    /** {@code v1.37.0}, as kubeadm writes it. */
    @Override
    public String toString() {
        return "v" + major + "." + minor + "." + patch;
    }
}
