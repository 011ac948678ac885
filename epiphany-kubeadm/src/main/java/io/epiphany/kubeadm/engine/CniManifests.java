package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cni;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod CIDR a CNI manifest declares, checked against (or, for Flannel, set to) the cluster's podSubnet. Pure text
 * work on the manifest: the SDK does not parse or re-serialise third-party YAML, so what is applied is the upstream
 * file with at most one value changed.
 *
 * <ul>
 *   <li>Flannel: {@code net-conf.json}'s {@code "Network"} (flannel-io/flannel Documentation/kube-flannel.yml); the
 *       flannel daemon refuses a node whose pod CIDR lies outside it.</li>
 *   <li>Calico: the {@code CALICO_IPV4POOL_CIDR} env of calico-node; when it is commented out (as upstream ships it)
 *       calico-node takes the pool from the kubeadm-config ConfigMap's podSubnet
 *       (projectcalico/calico node/pkg/lifecycle/startup/startup.go).</li>
 * </ul>
 */
final class CniManifests {
    private static final Pattern FLANNEL_NETWORK = Pattern.compile("(\"Network\"\\s*:\\s*\")([0-9a-fA-F.:/]+)(\")");
    private static final Pattern CALICO_POOL = Pattern.compile(
            "(?m)^\\s*-\\s*name:\\s*CALICO_IPV4POOL_CIDR\\s*\\n\\s*value:\\s*\"?([0-9.:/a-fA-F]+)\"?");

    private CniManifests() {}

    /** The pod CIDR the manifest sets, if it sets one. */
    static Optional<String> declaredCidr(String manifest) {
        Matcher f = FLANNEL_NETWORK.matcher(manifest);
        if (f.find()) {
            return Optional.of(f.group(2));
        }
        Matcher c = CALICO_POOL.matcher(manifest);
        return c.find() ? Optional.of(c.group(1)) : Optional.empty();
    }

    /**
     * The manifest to apply: Flannel's Network set to the podSubnet; any other CNI's declared CIDR must equal it.
     *
     * @throws IllegalArgumentException naming both CIDRs when they differ
     */
    static String forCluster(Cni cni, String manifest, String podSubnet) {
        if (cni.kind() == Cni.Kind.FLANNEL) {
            Matcher f = FLANNEL_NETWORK.matcher(manifest);
            if (!f.find()) {
                throw new IllegalArgumentException("the Flannel manifest has no net-conf.json \"Network\" to set to the "
                        + "podSubnet " + podSubnet + "; is it a kube-flannel.yml?");
            }
            return f.replaceFirst("$1" + Matcher.quoteReplacement(podSubnet) + "$3");
        }
        declaredCidr(manifest).filter(c -> !c.equals(podSubnet)).ifPresent(c -> {
            throw new IllegalArgumentException("the CNI manifest's pod network " + c + " is not the cluster's "
                    + "networking.podSubnet " + podSubnet + "; set one to the other (pods would get addresses the "
                    + "controller-manager never allocated)");
        });
        return manifest;
    }
}
