package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Certificates;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Cluster#certificates()}: every machine read in parallel (at most {@code ssh.concurrency} at a time),
 * read-only: file reads only, parsed by {@link CertificateFiles}. A host that cannot be read is reported, never
 * fatal: certificates are what one looks at when a cluster is broken.
 */
public final class CertificateReader {
    private CertificateReader() {}

    public static Certificates read(Cluster cluster, ApplyOptions options) {
        if (options.remoteAccess().isPresent()) {
            return read(cluster, options.remoteAccess().get(), options.clock().instant());
        }
        try (RemoteAccess access = RemoteAccess.load()) {
            return read(cluster, access, options.clock().instant());
        }
    }

    private static Certificates read(Cluster cluster, RemoteAccess access, Instant now) {
        Hosts hosts = new Hosts(cluster, access);
        var outcomes = Parallel.map(cluster.machines(), cluster.ssh().concurrency(),
                m -> host(cluster, m, hosts.get(m), now));
        List<Certificates.Certificate> all = new ArrayList<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (var o : outcomes) {
            if (o.ok()) {
                all.addAll(o.value());
            } else {
                unreadable.put(o.item().hostname(), String.valueOf(o.error().getMessage()));
            }
        }
        return Certificates.of(now, all, unreadable);
    }

    private static List<Certificates.Certificate> host(Cluster cluster, Machine m, RemoteHost h, Instant now) {
        List<Certificates.Certificate> out = new ArrayList<>();
        if (cluster.isMaster(m)) {
            CertificateFiles.master(cluster, h).forEach((name, c) ->
                    out.add(entry(m, name, CertificateFiles.path(cluster, name), c, now)));
        }
        CertificateFiles.kubeletClient(h).ifPresent(c -> out.add(entry(m, CertificateFiles.KUBELET_CLIENT_NAME,
                CertificateFiles.KUBELET_CLIENT, c, now)));
        return out;
    }

    private static Certificates.Certificate entry(Machine m, String name, String path, ControlPlaneFacts.Certificate c,
            Instant now) {
        long days = Math.floorDiv(Duration.between(now, c.notAfter()).toSeconds(), 86_400L);
        return new Certificates.Certificate(m.hostname(), name, path, c.subject(), c.issuer(), c.notAfter(), days,
                c.authority(), c.names());
    }
}
