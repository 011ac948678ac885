package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Cluster;
import io.epiphany.api.EncryptionStatus;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.RemoteAccess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Cluster#encryptionStatus()}: every master's encryption config (file reads only; key names kept, material
 * dropped) and, through the first master whose etcd answers (in pages: {@link SecretPages}), which key each Secret
 * in etcd is stored under. A host that cannot be read is reported, never fatal.
 */
public final class EncryptionStatusReader {
    /** The {@link EncryptionStatus#unreadable()} entry when no master's etcd answered. */
    static final String ETCD = "etcd";

    private EncryptionStatusReader() {}

    public static EncryptionStatus read(Cluster cluster, ApplyOptions options) {
        if (options.remoteAccess().isPresent()) {
            return read(cluster, options.remoteAccess().get());
        }
        try (RemoteAccess access = RemoteAccess.load()) {
            return read(cluster, access);
        }
    }

    private static EncryptionStatus read(Cluster cluster, RemoteAccess access) {
        Hosts hosts = new Hosts(cluster, access);
        String path = cluster.encryption().configFile();
        var outcomes = Parallel.map(cluster.masters(), cluster.ssh().concurrency(),
                m -> hosts.get(m).read(path).map(c -> new EncryptionStatus.Master(m.hostname(),
                        Manifests.encryptionProvider(c).orElse("unknown"), EncryptionKeys.names(c))));
        List<EncryptionStatus.Master> masters = new ArrayList<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (var o : outcomes) {
            if (!o.ok()) {
                unreadable.put(o.item().hostname(), String.valueOf(o.error().getMessage()));
            } else if (o.value().isPresent()) {
                masters.add(o.value().get());
            } else {
                unreadable.put(o.item().hostname(), "no " + path);
            }
        }
        Optional<Map<String, Long>> stored = Optional.empty();
        List<String> tried = new ArrayList<>();
        for (Machine m : cluster.masters()) {
            if (stored.isPresent() || unreadable.containsKey(m.hostname())) {
                continue;
            }
            try {
                stored = Optional.of(SecretPages.countByKey(cluster, hosts.get(m)));
            } catch (RuntimeException e) {
                tried.add(m.hostname() + ": " + e.getMessage());
            }
        }
        if (stored.isEmpty()) {
            unreadable.put(ETCD, "no master's etcd answered: " + tried);
        }
        return EncryptionStatus.of(masters, stored.orElse(Map.of()), unreadable);
    }
}
