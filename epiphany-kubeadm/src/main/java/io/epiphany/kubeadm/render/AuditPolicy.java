package io.epiphany.kubeadm.render;

import io.epiphany.api.Audit;
import io.epiphany.api.Cluster;

/**
 * The API server's audit policy ({@code --audit-policy-file}; without one the audit flags log nothing). Modest on
 * purpose: request metadata (who, what, which object, result) for everything, never bodies, and nothing for the
 * high-rate machine chatter that would drown the log.
 */
public final class AuditPolicy {
    private static final String POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            # One event per request, when it completes: RequestReceived would only double the volume.
            omitStages:
              - "RequestReceived"
            rules:
              # Health probes: the HAProxy on every host checks /readyz of every master every few seconds.
              - level: None
                nonResourceURLs:
                  - "/healthz*"
                  - "/livez*"
                  - "/readyz*"
                  - "/version"
              # Heartbeats and leader election: every kubelet and controller renews a lease every few seconds.
              - level: None
                verbs: ["get", "update"]
                resources:
                  - group: "coordination.k8s.io"
                    resources: ["leases"]
              # Events are a record of their own, and high-volume.
              - level: None
                resources:
                  - group: ""
                    resources: ["events"]
                  - group: "events.k8s.io"
                    resources: ["events"]
              # Objects that carry secrets or tokens: who touched them, never the payload, even if the rule below
              # is raised to Request or RequestResponse.
              - level: Metadata
                resources:
                  - group: ""
                    resources: ["secrets", "configmaps", "serviceaccounts/token"]
                  - group: "authentication.k8s.io"
                    resources: ["tokenreviews"]
              # Everything else: who did what to which object.
              - level: Metadata
            """;

    private AuditPolicy() {}

    /**
     * The policy for {@code cluster}, at {@link Audit#policyFile()}.
     *
     * @throws IllegalArgumentException when the cluster has audit logging switched off
     */
    public static String render(Cluster cluster) {
        if (!cluster.apiServer().audit().enabled()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "' has audit logging off: no audit "
                    + "policy is rendered; check apiServer().audit().enabled() first");
        }
        return "# Rendered by Epiphany for cluster '" + cluster.name() + "'. Identical on every master.\n" + POLICY;
    }
}
