package io.epiphany.kubeadm;

import io.epiphany.api.Cluster;
import io.epiphany.api.Rendering;
import io.epiphany.api.spi.Engine;
import io.epiphany.kubeadm.render.HostFiles;
import io.epiphany.kubeadm.render.RenderContext;

/**
 * The engine behind {@link Cluster}'s operations: kubeadm with stacked etcd, HAProxy on every host. Found by
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.epiphany.api.spi.Engine}); users call {@link Cluster}.
 */
public final class KubeadmEngine implements Engine {
    /**
     * Every file of every host from the model alone: secrets come from {@link Cluster#secrets()}, and the join
     * configurations carry {@link RenderContext#CA_CERT_HASH_PLACEHOLDER} because no CA exists before {@code kubeadm
     * init}.
     */
    @Override
    public Rendering render(Cluster cluster) {
        return HostFiles.render(cluster, RenderContext.of(cluster));
    }
}
