package io.epiphany.kubeadm.engine;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import io.epiphany.haproxy.HaproxyConfig;
import io.epiphany.kubeadm.render.HostFiles;
import io.epiphany.kubeadm.render.JoinConfig;
import io.epiphany.kubeadm.render.RenderContext;
import java.util.List;

/** {@link ConfigFiles} from the pure renderers of one cluster value. */
final class RenderedConfigFiles implements ConfigFiles {
    private final Cluster cluster;

    RenderedConfigFiles(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<HostFile> initFiles(Machine firstMaster) {
        return HostFiles.render(cluster, RenderContext.of(cluster)).files(firstMaster.hostname()).stream()
                .filter(f -> !f.path().equals(HaproxyConfig.PATH)).toList();
    }

    @Override
    public HostFile joinConfig(Machine machine, Secret token, String caCertHash) {
        RenderContext context = RenderContext.of(cluster).withBootstrapToken(token).withCaCertHash(caCertHash);
        return HostFile.secret(JoinConfig.PATH, JoinConfig.render(cluster, machine, context), 0600);
    }

    @Override
    public String haproxyConfig(List<Machine> backends) {
        return HaproxyConfig.render(cluster, backends);
    }
}
