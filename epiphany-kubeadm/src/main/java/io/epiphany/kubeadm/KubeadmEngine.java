package io.epiphany.kubeadm;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.Plan;
import io.epiphany.api.Rendering;
import io.epiphany.api.spi.Engine;
import io.epiphany.kubeadm.engine.Provisioner;
import io.epiphany.kubeadm.render.HostFiles;
import io.epiphany.kubeadm.render.RenderContext;

/**
 * The engine behind {@link Cluster}'s operations: kubeadm with stacked etcd, HAProxy on every host. Found by
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.epiphany.api.spi.Engine}); users call {@link Cluster}.
 */
public final class KubeadmEngine implements Engine {
    private final Provisioner provisioner = new Provisioner();

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
        return provisioner.plan(cluster, options);
    }

    @Override
    public ApplyResult apply(Plan plan, ApplyOptions options) {
        return provisioner.apply(plan, options);
    }

    @Override
    public ApplyResult apply(Cluster cluster, ApplyOptions options) {
        return provisioner.apply(cluster, options);
    }

    @Override
    public Kubeconfig kubeconfig(Cluster cluster, ApplyOptions options) {
        return provisioner.kubeconfig(cluster, options);
    }

    @Override
    public void reset(Cluster cluster, ApplyOptions options) {
        provisioner.reset(cluster, options);
    }

    @Override
    public io.epiphany.api.LoadBalancerStatus loadBalancers(Cluster cluster, ApplyOptions options) {
        return io.epiphany.kubeadm.engine.LoadBalancerStatusReader.read(cluster, options);
    }

    @Override
    public io.epiphany.api.Certificates certificates(Cluster cluster, ApplyOptions options) {
        return io.epiphany.kubeadm.engine.CertificateReader.read(cluster, options);
    }

    @Override
    public io.epiphany.api.EncryptionStatus encryptionStatus(Cluster cluster, ApplyOptions options) {
        return io.epiphany.kubeadm.engine.EncryptionStatusReader.read(cluster, options);
    }

    @Override
    public io.epiphany.api.Backup backup(Cluster cluster, java.nio.file.Path archive, ApplyOptions options) {
        return io.epiphany.kubeadm.engine.BackupTaker.take(cluster, archive, options);
    }

    @Override
    public ApplyResult restore(Cluster cluster, io.epiphany.api.Backup backup, io.epiphany.api.RestoreOptions restore,
            ApplyOptions options) {
        return provisioner.restore(cluster, backup, restore, options);
    }
}
