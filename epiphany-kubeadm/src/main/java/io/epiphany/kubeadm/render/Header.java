package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;

/** The comment that opens every rendered kubeadm file. */
final class Header {
    private Header() {}

    static String of(Cluster cluster, KubeadmApi api) {
        return "# Rendered by Epiphany for cluster '" + cluster.name() + "' (Kubernetes " + cluster.version() + ", "
                + api.apiVersion() + "). The SDK rewrites this file.\n";
    }
}
