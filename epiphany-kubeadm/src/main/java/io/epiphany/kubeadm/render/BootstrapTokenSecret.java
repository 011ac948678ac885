package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Secret;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A bootstrap token as the Secret the API server's bootstrap token authenticator and the bootstrap signer read
 * (kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/, "Bootstrap Token Secret Format"): named
 * {@code bootstrap-token-<token-id>} in {@code kube-system}, type {@code bootstrap.kubernetes.io/token}, with
 * {@code token-id}, {@code token-secret}, an RFC 3339 UTC {@code expiration}, both usages and kubeadm's node
 * bootstrap group (the group {@code kubeadm init} binds to node bootstrap, CSR auto-approval and reading the
 * kubeadm-config ConfigMap). Created from a {@code 0600} file with {@code kubectl create -f}, so the token is never an
 * argument of a process on the host, as it is with {@code kubeadm token create <token>}.
 */
public final class BootstrapTokenSecret {
    /** The group kubeadm gives its own tokens ({@code kubeadm token create}'s default {@code --groups}). */
    public static final String GROUP = "system:bootstrappers:kubeadm:default-node-token";

    private BootstrapTokenSecret() {}

    /** The token's ID, its public half ({@code [a-z0-9]{6}} before the dot): safe to show and to put in commands. */
    public static String id(Secret token) {
        String t = token.reveal();
        int dot = t.indexOf('.');
        if (dot != 6 || t.length() != 23) {
            throw new IllegalArgumentException("not a bootstrap token of the form [a-z0-9]{6}.[a-z0-9]{16}");
        }
        return t.substring(0, dot);
    }

    /** The Secret's name, {@code bootstrap-token-<id>}. */
    public static String name(Secret token) {
        return "bootstrap-token-" + id(token);
    }

    /** The Secret manifest; it holds the token: write it {@code 0600} and remove it once created. */
    public static String render(Cluster cluster, Secret token, Instant expiration) {
        String t = token.reveal();
        Map<String, Object> secret = Yaml.map(
                "apiVersion", "v1",
                "kind", "Secret",
                "metadata", Yaml.map("name", name(token), "namespace", "kube-system"),
                "type", "bootstrap.kubernetes.io/token",
                "stringData", Yaml.map(
                        "description", "Epiphany: joins machines to cluster " + cluster.name(),
                        "token-id", id(token),
                        "token-secret", t.substring(7),
                        "expiration", expiration.truncatedTo(ChronoUnit.SECONDS).toString(),
                        "usage-bootstrap-authentication", "true",
                        "usage-bootstrap-signing", "true",
                        "auth-extra-groups", GROUP));
        return Yaml.documents("# Rendered by Epiphany for cluster '" + cluster.name() + "': a bootstrap token, "
                + "removed once created.\n", List.of(secret));
    }
}
