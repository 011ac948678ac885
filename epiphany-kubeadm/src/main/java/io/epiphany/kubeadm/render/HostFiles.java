package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.HostFile;
import io.epiphany.api.Machine;
import io.epiphany.api.Rendering;
import io.epiphany.haproxy.HaproxyConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every file of every host, in the order the SDK writes them: HAProxy first (kubeadm reaches the API through it),
 * then on masters the files the API server manifest points at (encryption config, audit policy), then the kubeadm
 * configuration. A pure function of the model and the {@link RenderContext}.
 */
public final class HostFiles {
    static final int PUBLIC = 0644;
    static final int PRIVATE = 0600;

    private HostFiles() {}

    /** The files of every host of {@code cluster}. */
    public static Rendering render(Cluster cluster, RenderContext context) {
        Map<String, List<HostFile>> byHost = new LinkedHashMap<>();
        String haproxy = cluster.loadBalancer().isExternal() ? null : HaproxyConfig.render(cluster);
        String encryption = cluster.encryption().enabled()
                ? EncryptionConfig.render(cluster, context.encryptionKey()) : null;
        String audit = cluster.apiServer().audit().enabled() ? AuditPolicy.render(cluster) : null;
        Machine first = cluster.masters().get(0);
        for (Machine machine : cluster.machines()) {
            List<HostFile> files = new ArrayList<>();
            if (haproxy != null) {
                files.add(HostFile.of(HaproxyConfig.PATH, haproxy, PUBLIC));
            }
            if (cluster.isMaster(machine)) {
                if (encryption != null) {
                    files.add(HostFile.secret(cluster.encryption().configFile(), encryption, PRIVATE));
                }
                if (audit != null) {
                    files.add(HostFile.of(cluster.apiServer().audit().policyFile(), audit, PUBLIC));
                }
            }
            files.add(machine.hostname().equals(first.hostname())
                    ? HostFile.secret(InitConfig.PATH, InitConfig.render(cluster, context), PRIVATE)
                    : HostFile.secret(JoinConfig.PATH, JoinConfig.render(cluster, machine, context), PRIVATE));
            byHost.put(machine.hostname(), List.copyOf(files));
        }
        return new Rendering(byHost);
    }
}
