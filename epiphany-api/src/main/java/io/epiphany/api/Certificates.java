package io.epiphany.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every certificate of a cluster as {@link Cluster#certificates()} read it: on every master the PKI files kubeadm
 * writes (CAs included) and the client certificates embedded in its kubeconfigs, and on every machine the kubelet's
 * client certificate. Parsed by the SDK itself with the JDK's X.509 parser; private keys are never part of it.
 */
public final class Certificates {
    /**
     * One certificate.
     *
     * @param host the machine it is on
     * @param name kubeadm's name for it relative to the PKI directory ({@code apiserver.crt}, {@code etcd/peer.crt}),
     *        the kubeconfig's file name ({@code admin.conf}), or {@code kubelet-client-current.pem}
     * @param path the file on the host
     * @param subject the subject's distinguished name (RFC 2253)
     * @param issuer the issuer's distinguished name (RFC 2253)
     * @param notAfter the end of its validity
     * @param daysLeft whole days from the time of reading to {@code notAfter}; negative once expired
     * @param authority a certificate authority (basic constraints CA), which {@code kubeadm certs renew} never renews
     * @param names its DNS and IP subject alternative names
     */
    public record Certificate(String host, String name, String path, String subject, String issuer, Instant notAfter,
                              long daysLeft, boolean authority, List<String> names) {
        public Certificate {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(name, "name");
            names = List.copyOf(names);
        }

        /** Expired at the time of reading. */
        public boolean expired() {
            return daysLeft < 0;
        }
    }

    private final Instant readAt;
    private final List<Certificate> certificates;
    private final Map<String, String> unreadable;

    private Certificates(Instant readAt, List<Certificate> certificates, Map<String, String> unreadable) {
        this.readAt = Objects.requireNonNull(readAt, "readAt");
        this.certificates = List.copyOf(certificates);
        this.unreadable = Map.copyOf(unreadable);
    }

    /**
     * The certificates read at {@code readAt}; {@code unreadable} maps a host that could not be read to why.
     */
    public static Certificates of(Instant readAt, List<Certificate> certificates, Map<String, String> unreadable) {
        return new Certificates(readAt, certificates, unreadable);
    }

    /** When they were read (the clock of {@link ApplyOptions#clock()}); {@code daysLeft} counts from it. */
    public Instant readAt() {
        return readAt;
    }

    /** Every certificate, masters first, in the order of the description. */
    public List<Certificate> all() {
        return certificates;
    }

    /** The certificates on one host. */
    public List<Certificate> host(String hostname) {
        return certificates.stream().filter(c -> c.host().equals(hostname)).toList();
    }

    /** One certificate by host and name. */
    public Optional<Certificate> get(String hostname, String name) {
        return certificates.stream().filter(c -> c.host().equals(hostname) && c.name().equals(name)).findFirst();
    }

    /** Those whose {@code notAfter} comes before {@code readAt() + within} (the expired ones included). */
    public List<Certificate> expiringWithin(Duration within) {
        Instant limit = readAt.plus(within);
        return certificates.stream().filter(c -> c.notAfter().isBefore(limit)).toList();
    }

    /** Hosts that could not be read, with why (unreachable, a file that does not parse). */
    public Map<String, String> unreadable() {
        return unreadable;
    }

    @Override
    public String toString() {
        return "Certificates[" + certificates.size() + " read at " + readAt + ", "
                + expiringWithin(Duration.ZERO).size()
                + " expired, " + unreadable.size() + " hosts unreadable]";
    }
}
