package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.epiphany.api.Cluster;
import io.epiphany.api.Secret;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
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

    /** {@code get /registry/secrets/ --prefix -w json} in the master's etcd container. */
    static CommandResult readSecrets(Cluster cluster, RemoteHost host) {
        CommandResult r = Etcd.run(cluster, host, true, "get", SECRETS_PREFIX, "--prefix", "-w", "json");
        // cut JSON would count too few Secrets: no count is better than a wrong one
        return r.ok() && r.outputTruncated() ? new CommandResult(r.host(), r.command(), 1, "", "the Secrets in etcd "
                + "are larger than the SDK keeps of a command's output (maxOutputBytes)") : r;
    }

    /** {@code get /registry/secrets/ --prefix --keys-only -w json}: which Secrets there are, without their values. */
    static CommandResult readSecretNames(Cluster cluster, RemoteHost host) {
        return Etcd.run(cluster, host, true, "get", SECRETS_PREFIX, "--prefix", "--keys-only", "-w", "json");
    }

    /** The namespaces that hold Secrets, from etcd's keys {@code /registry/secrets/<namespace>/<name>}. */
    static java.util.SortedSet<String> namespaces(String etcdJson) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        try {
            for (JsonNode kv : JSON.readTree(etcdJson).path("kvs")) {
                String key = new String(Base64.getDecoder().decode(kv.path("key").asText("")), StandardCharsets.UTF_8);
                String[] parts = key.substring(Math.min(key.length(), SECRETS_PREFIX.length())).split("/");
                if (key.startsWith(SECRETS_PREFIX) && parts.length == 2 && parts[0].matches("[a-z0-9]([-a-z0-9]*"
                        + "[a-z0-9])?")) {
                    out.add(parts[0]);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("etcdctl get printed something that is not etcd's JSON: "
                    + e.getClass().getSimpleName());
        }
        return out;
    }

    /**
     * How many Secrets are stored under each key name ({@link #IDENTITY} for plain ones), from etcdctl's JSON; only
     * each value's prefix is looked at.
     */
    static Map<String, Long> countByKey(String etcdJson) {
        Map<String, Long> out = new TreeMap<>();
        try {
            for (JsonNode kv : JSON.readTree(etcdJson).path("kvs")) {
                byte[] value = Base64.getDecoder().decode(kv.path("value").asText(""));
                String head = new String(value, 0, Math.min(value.length, 128), StandardCharsets.ISO_8859_1);
                out.merge(storedUnder(head), 1L, Long::sum);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("etcdctl get printed something that is not etcd's JSON: "
                    + e.getClass().getSimpleName());
        }
        return out;
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
