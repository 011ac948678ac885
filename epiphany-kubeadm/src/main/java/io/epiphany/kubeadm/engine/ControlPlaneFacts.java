package io.epiphany.kubeadm.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a control-plane host runs, read from its files: the flags of each static pod manifest, its certificates, and
 * the shared files every API server reads.
 *
 * @param flags component ({@code kube-apiserver}, ...) to its command-line flags, from the manifest
 * @param images component to its container image
 * @param certificates kubeadm's name of each certificate (relative to certificatesDir, or a kubeconfig's file name) to
 *        what {@link CertificateFiles} parsed
 * @param sharedFiles path to the SHA-256 of the encryption config and audit policy on this host
 * @param encryptionProvider the first provider of the encryption config on this host
 * @param encryptionKeys the key names of that provider, in order (the first encrypts; never the key material)
 * @param encryptionRestartPending a key rotation changed the encryption config and the API server has not been
 *        restarted since (kube-apiserver reads the file only at start), see {@link EncryptionKeys#restartMarker}
 * @param etcdContainer the ID of the etcd container running on this host (not part of the digest: a restart changes
 *        it), which the etcd reads of the same facts use
 */
record ControlPlaneFacts(Map<String, Map<String, String>> flags, Map<String, String> images,
        Map<String, Certificate> certificates, Map<String, String> sharedFiles, Optional<String> encryptionProvider,
        List<String> encryptionKeys, boolean encryptionRestartPending, Optional<String> etcdContainer) {
    static final List<String> COMPONENTS = List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler");

    /**
     * A certificate as the SDK parsed it: expiry, DNS and IP subject alternative names, subject and issuer (RFC 2253),
     * and whether it is a certificate authority.
     */
    record Certificate(Instant notAfter, List<String> names, String subject, String issuer, boolean authority) {}

    /** An etcd container runs on this host. */
    boolean etcdRunning() {
        return etcdContainer.isPresent();
    }

    Map<String, String> flags(String component) {
        return flags.getOrDefault(component, Map.of());
    }

    String digestText() {
        return new TreeMap<>(flags) + "|" + new TreeMap<>(images) + "|" + new TreeMap<>(certificates) + "|"
                + new TreeMap<>(sharedFiles) + "|" + encryptionProvider.orElse("-") + "|" + encryptionKeys + "|"
                + encryptionRestartPending + "|" + etcdRunning();
    }
}
