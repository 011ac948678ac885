package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.junit.jupiter.api.Test;

class HostKeyAlgorithmsTest {
    private static final List<NamedFactory<Signature>> MINA = List.of(BuiltinSignatures.nistp256_cert,
            BuiltinSignatures.ed25519_cert, BuiltinSignatures.nistp256, BuiltinSignatures.nistp384,
            BuiltinSignatures.ed25519, BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256, BuiltinSignatures.rsa);

    private static List<String> names(List<NamedFactory<Signature>> factories) {
        return factories.stream().map(NamedFactory::getName).toList();
    }

    @Test
    void withoutKnownKeysMinasOrderStandsWithoutCertificates() {
        assertThat(names(HostKeyAlgorithms.order(MINA, List.of()))).containsExactly("ecdsa-sha2-nistp256",
                "ecdsa-sha2-nistp384", "ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    }

    @Test
    void theKnownKeysAlgorithmsComeFirst() throws Exception {
        assertThat(names(HostKeyAlgorithms.order(MINA, List.of(TestKeys.ed25519().getPublic()))))
                .containsExactly("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "rsa-sha2-512",
                        "rsa-sha2-256", "ssh-rsa");
        assertThat(names(HostKeyAlgorithms.order(MINA, List.of(TestKeys.generate("ssh-rsa", 2048).getPublic(),
                TestKeys.generate("ecdsa-sha2-nistp384", 384).getPublic()))))
                .containsExactly("ecdsa-sha2-nistp384", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
                        "ecdsa-sha2-nistp256", "ssh-ed25519");
    }

    @Test
    void severalKnownKeysGoInOpenSshsOrderAsSshWouldBeShownTheSameKey() throws Exception {
        // ssh-keyscan writes ECDSA before Ed25519; OpenSSH still asks for Ed25519 first, and so must we
        assertThat(names(HostKeyAlgorithms.order(MINA, List.of(TestKeys.generate("ssh-rsa", 2048).getPublic(),
                TestKeys.generate("ecdsa-sha2-nistp256", 256).getPublic(), TestKeys.ed25519().getPublic()))))
                .containsExactly("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
                        "ecdsa-sha2-nistp384");
    }
}
