package io.epiphany.api;

import java.util.Optional;

/**
 * One change a {@link Plan} will make: which phase, on which host (or on the cluster as a whole), what it does,
 * and for membership changes the etcd quorum before and after.
 */
public final class PlannedStep {
    private final String phase;
    private final String host;
    private final String action;
    private final String quorum;

    public PlannedStep(String phase, String host, String action, String quorum) {
        this.phase = phase;
        this.host = host;
        this.action = action;
        this.quorum = quorum;
    }

    public String phase() {
        return phase;
    }

    /** Hostname the step changes; {@code "cluster"} for cluster-wide steps. */
    public String host() {
        return host;
    }

    /** What the step does, in words (never contains secrets). */
    public String action() {
        return action;
    }

    /** For etcd membership changes: e.g. "etcd 2/3 healthy → 3/4 (quorum 3, tolerates 1 failure)". */
    public Optional<String> quorum() {
        return Optional.ofNullable(quorum);
    }

    @Override
    public String toString() {
        return host + ": " + action + (quorum == null ? "" : " [" + quorum + "]");
    }
}
