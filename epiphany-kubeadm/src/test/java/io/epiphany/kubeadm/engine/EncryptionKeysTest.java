package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import io.epiphany.kubeadm.render.EncryptionConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key names, their order and the etcd prefixes Secrets are counted by. */
class EncryptionKeysTest {
    @Test
    void namesSortByNumberAndTheNextIsOneAboveTheHighest() {
        assertThat(EncryptionKeys.next(List.of("key1"))).isEqualTo("key2");
        assertThat(EncryptionKeys.next(List.of("key9", "key10", "key2"))).isEqualTo("key11");
        assertThat(EncryptionKeys.newest(List.of("key9", "key10"))).contains("key10");
        assertThat(EncryptionKeys.next(List.of("mykey"))).isEqualTo("key1");
        assertThat(EncryptionKeys.number("key01")).isZero();
    }

    @Test
    void aRenderedConfigIsReadBackInOrderWithItsMaterial() {
        Cluster c = Cluster.builder().addMaster(Machine.of("m1", "10.0.0.1")).build();
        Secret a = Secret.randomBase64(32);
        Secret b = Secret.randomBase64(32);
        byte[] config = EncryptionConfig.render(c, List.of(Map.entry("key2", b), Map.entry("key1", a)))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(EncryptionKeys.names(config)).containsExactly("key2", "key1");
        assertThat(EncryptionKeys.material(config).get("key1").reveal()).isEqualTo(a.reveal());
        assertThat(Manifests.encryptionProvider(config)).contains("secretbox");
        assertThat(EncryptionKeys.names("not: [an, encryption config".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> EncryptionConfig.render(c, List.of())).hasMessageContaining("at least one key");
    }

    @Test
    void secretsAreCountedByTheKeyTheirEtcdValueNames() {
        String json = "{\"kvs\":[" + kv("k8s:enc:secretbox:v1:key2:\u0001\u0002") + "," + kv("k8s:enc:secretbox:v1:"
                + "key2:xyz") + "," + kv("k8s:enc:aescbc:v1:key1:abc") + "," + kv("{\"kind\":\"Secret\"}") + "],"
                + "\"count\":4}";
        assertThat(EncryptionKeys.countByKey(json)).containsExactly(Map.entry("identity", 1L), Map.entry("key1", 1L),
                Map.entry("key2", 2L));
        assertThat(EncryptionKeys.countByKey("{\"count\":0}")).isEmpty();
        assertThat(EncryptionKeys.namespaces(json)).containsExactly("default");
        assertThatThrownBy(() -> EncryptionKeys.countByKey("not json")).isInstanceOf(IllegalStateException.class);
    }

    private static String kv(String value) {
        Base64.Encoder b64 = Base64.getEncoder();
        return "{\"key\":\"" + b64.encodeToString("/registry/secrets/default/x".getBytes(StandardCharsets.UTF_8))
                + "\",\"value\":\"" + b64.encodeToString(value.getBytes(StandardCharsets.ISO_8859_1)) + "\"}";
    }
}
