package io.epiphany.kubeadm;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Plan;
import io.epiphany.api.Rendering;
import io.epiphany.api.spi.Engine;
import io.epiphany.kubeadm.render.HostFiles;
import io.epiphany.kubeadm.render.RenderContext;

/**
 * The engine behind {@link Cluster}'s operations: kubeadm with stacked etcd, HAProxy on every host. Found by
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.epiphany.api.spi.Engine}); users call {@link Cluster}.
 *
 * <p>This build renders only: plan, apply, kubeconfig and reset arrive with the lifecycle phases
 * ({@code io.epiphany.kubeadm.engine}) and until then fail saying so.
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

    @Override
    public Plan plan(Cluster cluster, ApplyOptions options) {
        throw notInThisBuild("plan");
    }

    @Override
    public ApplyResult apply(Plan plan, ApplyOptions options) {
        throw notInThisBuild("apply");
    }

    @Override
    public Kubeconfig kubeconfig(Cluster cluster, ApplyOptions options) {
        throw notInThisBuild("kubeconfig");
    }

    @Override
    public void reset(Cluster cluster, ApplyOptions options) {
        throw notInThisBuild("reset");
    }

    private static UnsupportedOperationException notInThisBuild(String operation) {
        return new UnsupportedOperationException(operation + " is not in this build of epiphany-kubeadm (it renders "
                + "only); use a build that includes the lifecycle engine");
    }
}
