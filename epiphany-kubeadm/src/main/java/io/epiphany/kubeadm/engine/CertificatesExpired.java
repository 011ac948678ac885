package io.epiphany.kubeadm.engine;

import io.epiphany.api.ApplyException;
import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's API answers on no master and some master holds an expired certificate: the likely cause, and one
 * the SDK can mend without the API ({@code kubeadm certs renew all --config} reads no ConfigMap). Thrown by the
 * facts gatherer with the hosts' facts, so that {@link Provisioner} can plan the renewal alone instead of failing;
 * its message says what expired and the way out.
 */
final class CertificatesExpired extends ApplyException {
    private final transient Map<String, HostFacts> hosts;

    private CertificatesExpired(String message, Map<String, HostFacts> hosts) {
        super(FactsGatherer.PHASE, null, message, List.of(), List.of("everything"), null);
        this.hosts = Map.copyOf(hosts);
    }

    /** The hosts' facts, read before the API was found not to answer. */
    Map<String, HostFacts> hosts() {
        return hosts;
    }

    /** When a master holds an expired certificate: the exception to throw instead of "the API did not answer". */
    static Optional<CertificatesExpired> of(Cluster cluster, Map<String, HostFacts> hosts, Instant now,
            List<String> apiTried) {
        List<String> expired = new ArrayList<>();
        for (Machine m : cluster.masters()) {
            HostFacts f = hosts.get(m.hostname());
            if (f == null) {
                continue;
            }
            List<String> names = f.controlPlane().map(cp -> cp.certificates().entrySet().stream()
                    .filter(e -> e.getValue().notAfter().isBefore(now)).map(Map.Entry::getKey).sorted().toList())
                    .orElse(List.of());
            if (!names.isEmpty()) {
                expired.add(m.hostname() + ": " + String.join(", ", names));
            }
        }
        if (expired.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new CertificatesExpired("the cluster's API did not answer on any master " + apiTried
                + " and certificates have expired (" + String.join("; ", expired) + "). apply() renews them first, "
                + "alone (kubeadm certs renew all --config on every master, then its static pods restarted), and a "
                + "second apply() converges the rest; by hand: `kubeadm certs renew all` on each master, restart its "
                + "etcd, kube-apiserver, kube-controller-manager and kube-scheduler, copy the new admin.conf", hosts));
    }

    /** Facts of a cluster whose API does not answer: the hosts only; {@link #recovering} tells them apart. */
    Facts facts() {
        return new Facts(hosts, Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(), List.of(),
                List.of(), Optional.empty(), false);
    }

    /** Facts made by {@link #facts()}: a cluster exists on the hosts but no API answered. */
    static boolean recovering(Facts facts) {
        return facts.clusterExists() && facts.apiMaster().isEmpty();
    }
}
