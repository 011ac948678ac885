package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.epiphany.api.Cluster;
import io.epiphany.api.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The keys of an EncryptionConfiguration and the Secrets stored under them. Keys are named {@code key<n>}: a new
 * cluster has {@code key1}, each rotation adds the next number, so the newest key is the highest number on any
 * master, which is how an interrupted rotation is recognised again. What encrypts a Secret is read from etcd: kube-
 * apiserver prefixes an encrypted value with {@code k8s:enc:<provider>:v1:<keyName>:} (Kubernetes docs, "Encrypting
 * Confidential Data at Rest", verifying with etcdctl); a value without it is stored plain ({@link #IDENTITY}).
 */
final class EncryptionKeys {
    /** The name Secrets stored unencrypted are counted under. */
    static final String IDENTITY = "identity";
    /** Where kube-apiserver keeps Secrets in etcd. */
    static final String SECRETS_PREFIX = "/registry/secrets/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENCRYPTED = "k8s:enc:";

    private EncryptionKeys() {}

    /**
     * The file a rotation writes before it changes a master's encryption config and removes once that master's API
     * server was restarted and is healthy: kube-apiserver reads the config only at start, so a config on disk says
     * nothing about the keys the running server holds, and a rotation interrupted in between restarts it first.
     */
    static String restartMarker(Cluster cluster) {
        return cluster.encryption().configFile() + ".restart-pending";
    }

    /** The key names of the config's first provider, in order (empty when it is identity or unreadable). */
    static List<String> names(byte[] config) {
        return new ArrayList<>(material(config).keySet());
    }

    /** Key name to key material of the config's first provider, in order. Never logged. */
    static Map<String, Secret> material(byte[] config) {
        Map<String, Secret> out = new LinkedHashMap<>();
        try {
            JsonNode providers = YAML.readTree(config).path("resources").path(0).path("providers");
            JsonNode first = providers.path(0);
            if (!first.fieldNames().hasNext()) {
                return out;
            }
            for (JsonNode k : first.path(first.fieldNames().next()).path("keys")) {
                if (!k.path("name").asText("").isEmpty()) {
                    out.put(k.path("name").asText(), Secret.of(k.path("secret").asText("")));
                }
            }
        } catch (IOException | RuntimeException e) {
            out.clear(); // an unreadable config has no keys the SDK can work with
        }
        return out;
    }

    /** The number of a {@code key<n>} name, 0 for any other name. */
    static int number(String name) {
        return name.matches("key[1-9][0-9]{0,8}") ? Integer.parseInt(name.substring(3)) : 0;
    }

    /** The newest of these names: the highest {@code key<n>}. */
    static Optional<String> newest(Collection<String> names) {
        return names.stream().max(Comparator.comparingInt(EncryptionKeys::number).thenComparing(n -> n));
    }

    /** The name the next rotation adds: one above the highest {@code key<n>} in use. */
    static String next(Collection<String> names) {
        return "key" + (names.stream().mapToInt(EncryptionKeys::number).max().orElse(0) + 1);
    }

    /**
     * What {@code kubectl get ... -o json --ignore-not-found} printed holds no object to replace: nothing, or a List
     * without items (every named Secret was deleted meanwhile).
     */
    static boolean noObjects(String kubectlJson) {
        if (kubectlJson.isBlank()) {
            return true;
        }
        try {
            JsonNode o = JSON.readTree(kubectlJson);
            return o.path("kind").asText().equals("List") && o.path("items").isEmpty();
        } catch (IOException e) {
            return false; // kubectl replace says what is wrong with it
        }
    }

    /** The key name of {@code k8s:enc:<provider>:v1:<name>:...}, {@link #IDENTITY} for a plain value. */
    static String storedUnder(String valueHead) {
        if (!valueHead.startsWith(ENCRYPTED)) {
            return IDENTITY;
        }
        String[] parts = valueHead.split(":", 6);
        return parts.length == 6 && parts[3].equals("v1") ? parts[4] : "unknown";
    }
}
