package io.epiphany.api;

/**
 * Secret material of one {@link Cluster} value, generated once with {@link java.security.SecureRandom}: the
 * bootstrap token new machines join with and, unless given, the encryption-at-rest key. On a running cluster the
 * engine keeps the material the cluster already has.
 */
public final class ClusterSecrets {
    private final Secret bootstrapToken;
    private final Secret encryptionKey;

    private ClusterSecrets(Secret bootstrapToken, Secret encryptionKey) {
        this.bootstrapToken = bootstrapToken;
        this.encryptionKey = encryptionKey;
    }

    static ClusterSecrets generate(Encryption encryption) {
        return new ClusterSecrets(Secret.bootstrapToken(), encryption.key().orElseGet(() -> Secret.randomBase64(32)));
    }

    /** A kubeadm bootstrap token, {@code [a-z0-9]{6}.[a-z0-9]{16}}. */
    public Secret bootstrapToken() {
        return bootstrapToken;
    }

    /** The encryption-at-rest key, 32 bytes base64-encoded. */
    public Secret encryptionKey() {
        return encryptionKey;
    }

    @Override
    public String toString() {
        return "ClusterSecrets{bootstrapToken=****, encryptionKey=****}";
    }
}
