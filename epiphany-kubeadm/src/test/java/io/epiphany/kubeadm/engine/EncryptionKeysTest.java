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
    void aPageOfSecretsIsReadWithTheKeyEachValueNamesAndItsFirstKeySkippedAfterThe1stPage() {
        String json = "{\"kvs\":[" + kv("a", "k8s:enc:secretbox:v1:key2:\u0001\u0002") + "," + kv("b",
                "k8s:enc:secretbox:v1:key2:xyz") + "," + kv("c", "k8s:enc:aescbc:v1:key1:abc") + "," + kv("d",
                "{\"kind\":\"Secret\"}") + "],\"more\":true,\"count\":9}";
        SecretPages.Page page = SecretPages.parse(json, "/registry/secrets/default/a");
        assertThat(page.secrets()).extracting(s -> s.namespace() + "/" + s.name() + " "
                + EncryptionKeys.storedUnder(s.valueHead())).containsExactly("default/b key2", "default/c key1",
                        "default/d identity");
        assertThat(page.lastKey()).isEqualTo("/registry/secrets/default/d");
        assertThat(page.more()).isTrue();
        SecretPages.Page none = SecretPages.parse("{\"count\":0}", null);
        assertThat(none.secrets()).isEmpty();
        assertThat(none.more()).isFalse();
        assertThatThrownBy(() -> SecretPages.parse("not json", null)).isInstanceOf(IllegalStateException.class);
        assertThat(EncryptionKeys.noObjects("")).isTrue();
        assertThat(EncryptionKeys.noObjects("{\"kind\":\"List\",\"items\":[]}")).isTrue();
        assertThat(EncryptionKeys.noObjects("{\"kind\":\"Secret\"}")).isFalse();
    }

    private static String kv(String name, String value) {
        Base64.Encoder b64 = Base64.getEncoder();
        byte[] key = ("/registry/secrets/default/" + name).getBytes(StandardCharsets.UTF_8);
        return "{\"key\":\"" + b64.encodeToString(key)
                + "\",\"value\":\"" + b64.encodeToString(value.getBytes(StandardCharsets.ISO_8859_1)) + "\"}";
    }
}
