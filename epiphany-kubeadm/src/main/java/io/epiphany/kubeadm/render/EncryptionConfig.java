package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Encryption;
import io.epiphany.api.Secret;
import java.util.List;
import java.util.Map;

/**
 * The API server's EncryptionConfiguration: Secrets encrypted with the chosen provider's {@code key1}, then
 * {@code identity} so Secrets written before encryption was on stay readable. Byte-identical on every master; it holds
 * the key: write it {@code 0600}.
 */
public final class EncryptionConfig {
    /** The name of a new cluster's key; a rotation adds {@code key2}, {@code key3}... */
    public static final String FIRST_KEY = "key1";

    private EncryptionConfig() {}

    /**
     * The file for {@code cluster}, at {@link Encryption#configFile()}.
     *
     * @throws IllegalArgumentException when the cluster has encryption at rest switched off
     */
    public static String render(Cluster cluster, Secret key) {
        return render(cluster, List.of(Map.entry(FIRST_KEY, key)));
    }

    /**
     * The file with these keys of the cluster's provider, in this order (the first encrypts, every one decrypts),
     * then {@code identity}: what a key rotation writes at each of its stages.
     */
    public static String render(Cluster cluster, List<Map.Entry<String, Secret>> keys) {
        Encryption encryption = cluster.encryption();
        if (!encryption.enabled()) {
            throw new IllegalArgumentException("cluster '" + cluster.name() + "' has encryption at rest off: "
                    + "no EncryptionConfiguration is rendered; check encryption().enabled() first");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("an EncryptionConfiguration needs at least one key");
        }
        Map<String, Object> provider = Yaml.map(encryption.provider().yamlName(), Yaml.map("keys", keys.stream()
                .map(k -> Yaml.map("name", k.getKey(), "secret", k.getValue().reveal())).toList()));
        Map<String, Object> doc = Yaml.map(
                "apiVersion", "apiserver.config.k8s.io/v1",
                "kind", "EncryptionConfiguration",
                "resources", List.of(Yaml.map(
                        "resources", List.of("secrets"),
                        "providers", List.of(provider, Yaml.map("identity", Map.of())))));
        return Yaml.documents("# Rendered by Epiphany for cluster '" + cluster.name() + "'. Identical on every master;"
                + " the first provider encrypts.\n", List.of(doc));
    }
}
