package io.epiphany.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Encryption at rest of a cluster as {@link Cluster#encryptionStatus()} read it: on every master the key names of its
 * EncryptionConfiguration in order (the first encrypts new writes, every one decrypts; key material is never read into
 * it), and how many Secrets etcd stores under each key ({@code identity}: stored unencrypted). Keys are named
 * {@code key1}, {@code key2}...: each rotation adds the next number.
 */
public final class EncryptionStatus {
    /**
     * One master's encryption config.
     *
     * @param host the master
     * @param provider the first provider ({@code secretbox}, {@code aescbc}, {@code identity})
     * @param keys the provider's key names, in order
     */
    public record Master(String host, String provider, List<String> keys) {
        public Master {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(provider, "provider");
            keys = List.copyOf(keys);
        }

        /** The key new Secrets are encrypted with, if the provider has keys. */
        public Optional<String> writeKey() {
            return keys.stream().findFirst();
        }
    }

    private final List<Master> masters;
    private final Map<String, Long> secretsByKey;
    private final Map<String, String> unreadable;

    private EncryptionStatus(List<Master> masters, Map<String, Long> secretsByKey, Map<String, String> unreadable) {
        this.masters = List.copyOf(masters);
        this.secretsByKey = Map.copyOf(secretsByKey);
        this.unreadable = Map.copyOf(unreadable);
    }

    /**
     * The status; {@code unreadable} maps a host (or {@code etcd}) that could not be read to why.
     */
    public static EncryptionStatus of(List<Master> masters, Map<String, Long> secretsByKey,
            Map<String, String> unreadable) {
        secretsByKey.forEach((k, n) -> {
            if (n < 0) {
                throw new IllegalArgumentException("count of Secrets under " + k + " must not be negative: " + n);
            }
        });
        return new EncryptionStatus(masters, secretsByKey, unreadable);
    }

    /** Every master whose encryption config could be read, in the order of the description. */
    public List<Master> masters() {
        return masters;
    }

    /** One master's key names in order; empty when it has no readable config. */
    public List<String> keys(String host) {
        return masters.stream().filter(m -> m.host().equals(host)).findFirst().map(Master::keys).orElse(List.of());
    }

    /** Key name to how many Secrets are stored under it, sorted by name. */
    public Map<String, Long> secretsByKey() {
        return new TreeMap<>(secretsByKey);
    }

    /** How many Secrets are stored under this key. */
    public long secretsUnder(String key) {
        return secretsByKey.getOrDefault(key, 0L);
    }

    /** Hosts (or {@code etcd}) that could not be read, and why. */
    public Map<String, String> unreadable() {
        return unreadable;
    }

    /**
     * A key rotation is under way (the next apply finishes it): a master holds more than one key, or the masters' key
     * lists differ. The old key is removed only once no Secret is stored under it.
     */
    public boolean rotationInProgress() {
        return masters.stream().anyMatch(m -> m.keys().size() > 1)
                || masters.stream().map(Master::keys).distinct().count() > 1;
    }

    @Override
    public String toString() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        masters.forEach(m -> keys.put(m.host(), m.keys()));
        return "EncryptionStatus{keys=" + keys + ", secrets=" + secretsByKey() + ", unreadable="
                + unreadable.keySet() + "}";
    }
}
