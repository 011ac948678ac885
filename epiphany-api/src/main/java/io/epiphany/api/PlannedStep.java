package io.epiphany.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One change a {@link Plan} will make: which phase, on which host (or on the cluster as a whole), what kind of change,
 * what it does in words, and for membership changes the etcd quorum before and after. A structured value: assert on
 * {@link #kind()} and {@link #host()} rather than parsing {@link #action()}.
 */
public final class PlannedStep {
    /** The kind of change a step makes. */
    public enum Kind {
        /** Kernel settings and packages a host needs before kubeadm runs. */
        PREPARE_HOST,
        /** A host's HAProxy installed, configured, started, or its backends changed. */
        LOAD_BALANCER,
        /** Something that stopped is brought back (e.g. a stopped kubelet started). */
        REPAIR,
        /** A machine moved to a newer Kubernetes release (kubeadm upgrade, kubelet, drained and uncordoned). */
        UPGRADE,
        /** The pod network (CNI) installed in the cluster. */
        CNI,
        /** {@code kubeadm init} of a new cluster. */
        INITIALISE,
        /** A master or node joins the cluster. */
        JOIN,
        /** A master or node leaves the cluster. */
        REMOVE,
        /** A running control plane is changed to match the description (flags, certificates, stored config). */
        RECONFIGURE,
        /** Certificates renewed ({@code kubeadm certs renew}) and the control plane restarted to use them. */
        RENEW,
        /** Something the run made for itself is removed again (the bootstrap token its joins used). */
        CLEANUP,
        /** Node labels and taints. */
        LABEL,
        /** A machine torn down by {@code reset}. */
        RESET
    }

    private final String phase;
    private final String host;
    private final Kind kind;
    private final String action;
    private final String quorum;

    private PlannedStep(String phase, String host, Kind kind, String action, String quorum) {
        this.phase = Objects.requireNonNull(phase, "phase");
        this.host = Objects.requireNonNull(host, "host");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.action = Objects.requireNonNull(action, "action");
        this.quorum = quorum;
    }

    /** A step; {@code quorum} is null unless it changes etcd membership. */
    public static PlannedStep of(String phase, String host, Kind kind, String action, String quorum) {
        return new PlannedStep(phase, host, kind, action, quorum);
    }

    public String phase() {
        return phase;
    }

    /** Hostname the step changes; {@code "cluster"} for cluster-wide steps. */
    public String host() {
        return host;
    }

    public Kind kind() {
        return kind;
    }

    /** What the step does, in words (never contains secrets). */
    public String action() {
        return action;
    }

    /** For etcd membership changes: e.g. "etcd 3 members (2 healthy), quorum 2, ... → 2 members, ...". */
    public Optional<String> quorum() {
        return Optional.ofNullable(quorum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlannedStep s && phase.equals(s.phase) && host.equals(s.host) && kind == s.kind
                && action.equals(s.action) && Objects.equals(quorum, s.quorum);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, host, kind, action, quorum);
    }

    @Override
    public String toString() {
        return host + ": " + action + (quorum == null ? "" : " [" + quorum + "]");
    }
}
