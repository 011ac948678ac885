package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Secret;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the renderers need besides the model: the secret material and the facts only a host can tell. From the model
 * alone ({@link #of(Cluster)}) the secrets are the cluster's own ({@link Cluster#secrets()}) and the CA hash is not
 * known yet. The engine, once the first master's CA exists (or on a running cluster), passes the real CA hash and the
 * material the cluster already has, so the files it writes are complete.
 *
 * <p>Without a CA hash the join configurations pin {@link #CA_CERT_HASH_PLACEHOLDER}: not a valid hash, so a file
 * rendered before the CA exists fails kubeadm's validation instead of silently skipping CA verification.
 */
public final class RenderContext {
    /** Stands in for the CA hash until the first master's CA exists; kubeadm rejects it by design. */
    public static final String CA_CERT_HASH_PLACEHOLDER = "sha256:<hash-of-the-first-master's-ca.crt-known-after-kubeadm-init>";

    private static final Pattern CA_HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Secret bootstrapToken;
    private final Secret encryptionKey;
    private final Optional<String> caCertHash;

    private RenderContext(Secret bootstrapToken, Secret encryptionKey, Optional<String> caCertHash) {
        this.bootstrapToken = Objects.requireNonNull(bootstrapToken, "bootstrapToken");
        this.encryptionKey = Objects.requireNonNull(encryptionKey, "encryptionKey");
        this.caCertHash = caCertHash;
    }

    /** The model's own secrets, no CA hash yet. */
    public static RenderContext of(Cluster cluster) {
        return new RenderContext(cluster.secrets().bootstrapToken(), cluster.secrets().encryptionKey(), Optional.empty());
    }

    /** With the bootstrap token the cluster uses (e.g. one created on a running cluster). */
    public RenderContext withBootstrapToken(Secret token) {
        return new RenderContext(token, encryptionKey, caCertHash);
    }

    /** With the encryption-at-rest key the cluster already uses. */
    public RenderContext withEncryptionKey(Secret key) {
        return new RenderContext(bootstrapToken, key, caCertHash);
    }

    /**
     * With the discovery hash of the cluster CA, as {@link io.epiphany.kubeadm.CaCertHash} computes it.
     *
     * @throws IllegalArgumentException when it is not {@code sha256:} and 64 lower-case hex digits
     */
    public RenderContext withCaCertHash(String hash) {
        if (hash == null || !CA_HASH.matcher(hash).matches()) {
            throw new IllegalArgumentException("CA cert hash '" + hash + "' is not sha256:<64 lower-case hex digits>; "
                    + "compute it with CaCertHash.of(ca.crt)");
        }
        return new RenderContext(bootstrapToken, encryptionKey, Optional.of(hash));
    }

    public Secret bootstrapToken() {
        return bootstrapToken;
    }

    public Secret encryptionKey() {
        return encryptionKey;
    }

    /** The CA hash, once known. */
    public Optional<String> caCertHash() {
        return caCertHash;
    }

    @Override
    public String toString() {
        return "RenderContext{bootstrapToken=****, encryptionKey=****, caCertHash=" + caCertHash.orElse("(not yet known)")
                + "}";
    }
}
