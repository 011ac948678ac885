package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * SIMULATED {@code kubeadm token delete <id>|<token>... [--kubeconfig <file>]}: deletes the Secrets
 * {@code kube-system/bootstrap-token-<id>} through the API, with kubeadm's messages (k/k
 * {@code cmd/kubeadm/app/cmd/token.go} RunDeleteTokens): {@code bootstrap token "<id>" deleted}, or
 * {@code failed to delete bootstrap token "<id>": secrets "bootstrap-token-<id>" not found}.
 */
final class KubeadmTokens {
    private static final Pattern ID = Pattern.compile("^[a-z0-9]{6}$");
    private static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");

    private KubeadmTokens() {}

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
