package io.epiphany.api;

import java.util.Objects;

/**
 * Something wrong with the running cluster that a {@link Plan} reports whether or not it can change it: a stopped
 * kubelet, an unhealthy etcd member, a NotReady Node, a control plane that differs from its description. A plan with
 * findings is never "no changes".
 */
public final class Finding {
    private final String host;
    private final String problem;
    private final String remedy;

    private Finding(String host, String problem, String remedy) {
        this.host = Objects.requireNonNull(host, "host");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.remedy = Objects.requireNonNull(remedy, "remedy");
    }

    /** A finding on a host ({@code "cluster"} for the cluster as a whole). */
    public static Finding of(String host, String problem, String remedy) {
        return new Finding(host, problem, remedy);
    }

    public String host() {
        return host;
    }

    /** What is wrong, in words. */
    public String problem() {
        return problem;
    }

    /** What the plan does about it, or what the operator should do. */
    public String remedy() {
        return remedy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f && host.equals(f.host) && problem.equals(f.problem) && remedy.equals(f.remedy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, problem, remedy);
    }

    @Override
    public String toString() {
        return host + ": " + problem + " — " + remedy;
    }
}
