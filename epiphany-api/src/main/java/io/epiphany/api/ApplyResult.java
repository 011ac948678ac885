package io.epiphany.api;

import java.time.Duration;
import java.util.List;

/** What {@link Cluster#apply()} did, and what it verified at the end. */
public final class ApplyResult {
    private final Plan plan;
    private final Duration duration;
    private final List<String> verified;

    public ApplyResult(Plan plan, Duration duration, List<String> verified) {
        this.plan = plan;
        this.duration = duration;
        this.verified = List.copyOf(verified);
    }

    /** The plan that was carried out. */
    public Plan plan() {
        return plan;
    }

    public Duration duration() {
        return duration;
    }

    /** The checks that passed at the end (Nodes Ready, etcd members healthy, every host's load balancer). */
    public List<String> verified() {
        return verified;
    }

    /** True when nothing had to change. */
    public boolean unchanged() {
        return plan.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(unchanged() ? "Applied: no changes" : "Applied " + plan.steps().size()
                + " changes").append(" in ").append(duration.toMillis()).append(" ms\n");
        verified.forEach(v -> sb.append("  verified: ").append(v).append('\n'));
        return sb.toString();
    }
}
