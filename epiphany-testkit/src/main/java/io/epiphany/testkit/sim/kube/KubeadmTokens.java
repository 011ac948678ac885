package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SIMULATED {@code kubeadm token create [token] [--ttl d] [--kubeconfig <file>]} and the bootstrap tokens' checks
 * discovery and join use; {@code kubeadm token delete <id>|<token>... [--kubeconfig <file>]}: deletes the Secrets
 * {@code kube-system/bootstrap-token-<id>} through the API, with kubeadm's messages (k/k
 * {@code cmd/kubeadm/app/cmd/token.go} RunDeleteTokens): {@code bootstrap token "<id>" deleted}, or
 * {@code failed to delete bootstrap token "<id>": secrets "bootstrap-token-<id>" not found}.
 */
final class KubeadmTokens {
    private static final Pattern ID = Pattern.compile("^[a-z0-9]{6}$");
    static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final Pattern DURATION = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");

    private KubeadmTokens() {}

    static int create(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.size() < 2 || !a.get(1).equals("create")) {
            return inv.fail(1, "only 'kubeadm token create [token] [--ttl d]' is supported by the SIMULATED kubeadm");
        }
        if (!inv.root()) {
            return inv.fail(1, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: permission denied");
        }
        String token = a.size() > 2 && !a.get(2).startsWith("-") ? a.get(2) : io.epiphany.api.Secret.bootstrapToken()
                .reveal();
        if (!TOKEN.matcher(token).matches()) {
            return inv.fail(1, "the bootstrap token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
        }
        long ttl;
        try {
            ttl = durationSeconds(Kubeadm.option(a, "--ttl").orElse("24h0m0s"));
        } catch (IllegalArgumentException e) {
            return inv.fail(1, e.getMessage());
        }
        String kubeconfig = Kubeadm.option(a, "--kubeconfig").orElse("/etc/kubernetes/admin.conf");
        HostContext host = inv.host();
        if (!host.files().exists(kubeconfig)) {
            return inv.fail(1, "failed to load admin kubeconfig: open " + kubeconfig + ": no such file or directory");
        }
        String server = ControlPlane.kubeconfigServer(host.files().readString(kubeconfig));
        String error = host.store().update(s -> {
            Optional<String> e = s.kube == null ? Optional.of("connection refused")
                    : ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server),
                            server + "/api/v1/namespaces/kube-system/secrets?timeout=10s");
            if (e.isPresent()) {
                return e.get();
            }
            String id = token.substring(0, 6);
            if (s.kube.tokens.stream().anyMatch(t -> t.id.equals(id))) {
                return "secrets \"bootstrap-token-" + id + "\" already exists";
            }
            s.kube.tokens.add(token(token, ttl, host.now(s)));
            return null;
        });
        if (error != null) {
            inv.err().println("failed to create or update bootstrap token with name bootstrap-token-"
                    + token.substring(0, 6) + ": " + error);
            return 1;
        }
        inv.out().println(token);
        return 0;
    }

    static long durationSeconds(String text) {
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        long s = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return h * 3600 + min * 60 + s;
    }

    static SimulationState.Token token(String token, long ttlSeconds, Instant now) {
        SimulationState.Token t = new SimulationState.Token();
        t.id = token.substring(0, 6);
        t.sha256 = Kubeadm.sha256(token);
        t.expires = ttlSeconds == 0 ? 0 : now.getEpochSecond() + ttlSeconds;
        return t;
    }

    /** The cluster's unexpired token that is {@code token} (expired tokens are rejected and never signed). */
    static Optional<SimulationState.Token> liveToken(SimulationState s, String token, Instant now) {
        String sha = Kubeadm.sha256(token);
        return s.kube.tokens.stream().filter(t -> t.sha256.equals(sha)
                && (t.expires == 0 || t.expires > now.getEpochSecond())).findFirst();
    }

    /** Whether discovery works with it: the bootstrap signer signs cluster-info only for signing tokens. */
    static boolean tokenValid(SimulationState s, String token, Instant now) {
        return liveToken(s, token, now).map(t -> t.signing).orElse(false);
    }

    /**
     * Why join's own requests with the token (reading the kubeadm-config ConfigMap, then the kubelet's TLS
     * bootstrap) fail, or null: an authentication-usage token is needed (else 401), and kubeadm's node group, which
     * {@code kubeadm init} grants reading that ConfigMap (the Role kubeadm:nodes-kubeadm-config), else 403.
     */
    static String tokenRefused(SimulationState s, String token, Instant now) {
        Optional<SimulationState.Token> t = liveToken(s, token, now);
        if (t.isEmpty() || !t.get().authentication) {
            return "failed to get config map: Unauthorized";
        }
        if (!t.get().groups.contains("system:bootstrappers:kubeadm:default-node-token")) {
            return "failed to get config map: configmaps \"kubeadm-config\" is forbidden: User \"system:bootstrap:"
                    + t.get().id + "\" cannot get resource \"configmaps\" in API group \"\" in the namespace "
                    + "\"kube-system\"";
        }
        return null;
    }

    static int delete(Invocation inv) throws IOException {
        List<String> ids = inv.args().subList(2, inv.args().size()).stream().filter(a -> !a.startsWith("-"))
                .filter(a -> !a.equals(Kubeadm.option(inv.args(), "--kubeconfig").orElse(null))).toList();
        if (ids.isEmpty()) {
            return inv.fail(1, "missing argument; 'token delete' is missing token of form \"^([a-z0-9]{6})$\"");
        }
        if (!inv.root()) {
            return inv.fail(1, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: permission denied");
        }
        String kubeconfig = Kubeadm.option(inv.args(), "--kubeconfig").orElse("/etc/kubernetes/admin.conf");
        HostContext host = inv.host();
        if (!host.files().exists(kubeconfig)) {
            return inv.fail(1, "failed to load admin kubeconfig: open " + kubeconfig + ": no such file or directory");
        }
        String server = ControlPlane.kubeconfigServer(host.files().readString(kubeconfig));
        for (String given : ids) {
            var full = TOKEN.matcher(given);
            String id = full.matches() ? full.group(1) : given;
            if (!ID.matcher(id).matches()) {
                return inv.fail(1, "given token didn't match pattern \"^([a-z0-9]{6})$\" or "
                        + "\"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
            }
            String error = host.store().update(s -> {
                Optional<String> e = s.kube == null ? Optional.of("connection refused")
                        : ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server),
                                server + "/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + id);
                if (e.isPresent()) {
                    return e.get();
                }
                return s.kube.tokens.removeIf(t -> t.id.equals(id)) ? null
                        : "secrets \"bootstrap-token-" + id + "\" not found";
            });
            if (error != null) {
                inv.err().println("failed to delete bootstrap token \"" + id + "\": " + error);
                return 1;
            }
            inv.out().println("bootstrap token \"" + id + "\" deleted");
        }
        return 0;
    }
}
