package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED encryption at rest of Secrets, as kube-apiserver does it with {@code --encryption-provider-config}
 * (Kubernetes docs, "Encrypting Confidential Data at Rest"): the API server reads its EncryptionConfiguration only
 * when it starts ({@link #load}), writes every Secret with the first provider (etcd value
 * {@code k8s:enc:<provider>:v1:<keyName>:<ciphertext>}; {@code identity} writes the plain object) and reads a value
 * with whichever configured key its prefix names. The ciphertext is an opaque SIMULATED transform keyed by the key
 * material (not real secretbox/aescbc); a value no configured key's prefix matches fails with the storage layer's
 * "no matching prefix found" (k8s.io/apiserver encryptionconfig/config.go), wrong material with "failed to decrypt",
 * both wrapped as etcd3/store.go does: {@code unable to transform key "<key>": ...}.
 */
public final class EncryptionAtRest {
    /** Where kube-apiserver keeps Secrets in etcd. */
    public static final String PREFIX = "/registry/secrets/";
    private static final YAMLMapper YAML = new YAMLMapper();

    private EncryptionAtRest() {}

    /**
     * The keys the apiserver loads from its config now: {@code provider:name:sha256(material)} in order, then
     * {@code identity} where configured; just {@code identity} without an encryption config flag. The material itself
     * is not kept in the simulation state.
     */
    static List<String> load(HostFiles f) {
        Optional<String> flag = Optional.ofNullable(ControlPlane.manifestFlags(f, "kube-apiserver")
                .get("encryption-provider-config"));
        if (flag.isEmpty()) {
            return List.of("identity");
        }
        Optional<String> onHost = StaticPods.hostPathOf(StaticPods.volumes(f, "kube-apiserver"), flag.get());
        List<String> out = new ArrayList<>();
        try {
            if (onHost.isEmpty() || !f.exists(onHost.get())) {
                return List.of(); // the apiserver does not start: ControlPlane.missingApiserverFiles
            }
            JsonNode providers = YAML.readTree(f.readString(onHost.get())).path("resources").path(0).path("providers");
            for (JsonNode p : providers) {
                String name = p.fieldNames().hasNext() ? p.fieldNames().next() : "";
                if (name.equals("identity")) {
                    out.add("identity");
                    continue;
                }
                for (JsonNode k : p.path(name).path("keys")) {
                    out.add(name + ":" + k.path("name").asText() + ":" + sha256(k.path("secret").asText()));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** The apiserver on this host (re)started: it reads its encryption config now, and only now. */
    static void apiserverStarted(HostContext host) {
        List<String> keys = load(host.files());
        host.store().update(s -> {
            s.hosts.get(host.hostname()).apiserverEncryption = new ArrayList<>(keys);
            return null;
        });
    }

    /** The etcd value of a Secret written through the apiserver on {@code apiserver}: encrypted with its first key. */
    static String encrypt(SimulationState s, String apiserver, String plain) {
        List<String> keys = keysOf(s, apiserver);
        if (keys.isEmpty() || keys.get(0).equals("identity")) {
            return plain;
        }
        String[] k = keys.get(0).split(":", 3);
        byte[] data = plain.getBytes(StandardCharsets.UTF_8);
        byte[] sealed = new byte[8 + data.length];
        System.arraycopy(tag(k[2], data), 0, sealed, 0, 8);
        System.arraycopy(xor(k[2], data), 0, sealed, 8, data.length);
        return prefix(k[0], k[1]) + Base64.getEncoder().encodeToString(sealed);
    }

    /** Reads a stored value through the apiserver on {@code apiserver}; an exception carries the apiserver's error. */
    static String decrypt(SimulationState s, String apiserver, String etcdKey, String stored) {
        List<String> keys = keysOf(s, apiserver);
        if (!stored.startsWith("k8s:enc:")) {
            if (keys.contains("identity")) {
                return stored;
            }
            throw failure(etcdKey, "no matching prefix found");
        }
        for (String key : keys) {
            String[] k = key.split(":", 3);
            if (k.length == 3 && stored.startsWith(prefix(k[0], k[1]))) {
                byte[] sealed = Base64.getDecoder().decode(stored.substring(prefix(k[0], k[1]).length()));
                byte[] data = xor(k[2], Arrays.copyOfRange(sealed, 8, sealed.length));
                if (!Arrays.equals(tag(k[2], data), Arrays.copyOf(sealed, 8))) {
                    throw failure(etcdKey, "failed to decrypt");
                }
                return new String(data, StandardCharsets.UTF_8);
            }
        }
        // the identity provider's empty prefix matches too, but it refuses encrypted data and the next is tried
        throw failure(etcdKey, "no matching prefix found");
    }

    /** The key name ({@code provider:name}, or {@code identity}) a stored value is encrypted with. */
    public static String storedUnder(String stored) {
        if (!stored.startsWith("k8s:enc:")) {
            return "identity";
        }
        String[] parts = stored.split(":", 6);
        return parts.length < 6 ? "unknown" : parts[2] + ":" + parts[4];
    }

    private static List<String> keysOf(SimulationState s, String apiserver) {
        SimulationState.Host h = s.hosts.get(apiserver);
        return h == null || h.apiserverEncryption == null ? List.of("identity") : h.apiserverEncryption;
    }

    private static IllegalStateException failure(String etcdKey, String why) {
        return new IllegalStateException("(InternalError): Internal error occurred: unable to transform key \""
                + etcdKey + "\": " + why);
    }

    private static String prefix(String provider, String name) {
        return "k8s:enc:" + provider + ":v1:" + name + ":";
    }

    private static byte[] tag(String materialHash, byte[] data) {
        MessageDigest d = digest();
        d.update(materialHash.getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(d.digest(data), 8);
    }

    private static byte[] xor(String materialHash, byte[] data) {
        byte[] stream = digest().digest(("SIMULATED keystream " + materialHash).getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] ^ stream[i % stream.length]);
        }
        return out;
    }

    private static String sha256(String text) {
        return java.util.HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
