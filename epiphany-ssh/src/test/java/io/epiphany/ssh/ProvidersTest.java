package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Secret;
import io.epiphany.api.remote.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPublicKey;
import java.util.Base64;
import java.util.List;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ssh-ed25519 on the JDK's EdDSA with Bouncy Castle left unregistered ({@link JdkEd25519}): host keys, user keys in
 * the OpenSSH and PKCS#8 formats, and ECDSA/RSA unchanged beside them; Bouncy Castle registered at first use for the
 * one key format only it reads. The last test registers it for the JVM, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvidersTest extends SshFixture {

    @Test
    @Order(1)
    void ed25519IsTheJdksAndBouncyCastleIsNotRegistered() throws Exception {
        assertThat(JdkEd25519.install()).isTrue();
        assertThat(SecurityUtils.getEdDSASupport()).get().isInstanceOf(JdkEd25519.class);
        assertThat(TestKeys.ed25519().getPublic()).isInstanceOf(EdECPublicKey.class);
        if (!JdkEd25519.bouncyCastleRequested()) { // another class of this JVM may have read such a key first
            assertThat(SecurityUtils.isBouncyCastleRegistered()).isFalse();
        }
    }

    @ParameterizedTest
    @Order(2)
    @CsvSource({"ssh-ed25519,256,ssh-ed25519,256", "ecdsa-sha2-nistp256,256,ssh-ed25519,256",
            "ssh-rsa,2048,ssh-ed25519,256", "ssh-ed25519,256,ecdsa-sha2-nistp384,384", "ssh-ed25519,256,ssh-rsa,2048"})
    void hostKeysAndUserKeysOfEachTypeWork(String hostType, int hostBits, String userType, int userBits)
            throws Exception {
        KeyPair user = TestKeys.generate(userType, userBits);
        Path file = TestKeys.write(user, dir.resolve("id-" + userType), "pass phrase");
        TestServer s = start(TestKeys.generate(hostType, hostBits), user);
        String out = access.host(machine(s), settings().privateKey(file).privateKeyPassphrase(Secret.of("pass phrase"))
                .build()).run(Command.of("echo", hostType, userType)).stdout();
        assertThat(out).isEqualTo(hostType + " " + userType + "\n");
    }

    /** An ed25519 host key made by the JDK's own generator, and a PKCS#8 user key (whose public half is derived). */
    @Test
    @Order(3)
    void jdkMadeEd25519KeysWorkAsHostKeyAndAsPkcs8UserKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        KeyPair user = g.generateKeyPair();
        Path pem = Files.writeString(dir.resolve("id_pkcs8"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(user.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        TestServer s = start(g.generateKeyPair(), user);
        assertThat(access.host(machine(s), settings().privateKey(pem).build()).run(Command.of("echo", "ok"))
                .stdout()).isEqualTo("ok\n");
    }

    @Test
    @Order(4)
    void anEncryptedPkcs8KeyRegistersBouncyCastleAtFirstUse() throws Exception {
        KeyPair user = TestKeys.generate("ssh-rsa", 2048);
        Path pem = dir.resolve("id_encrypted_pkcs8");
        try (PemWriter w = new PemWriter(Files.newBufferedWriter(pem))) {
            w.writeObject(new JcaPKCS8Generator(user.getPrivate(), new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword("s3cret".toCharArray()).build()));
        }
        TestServer s = start(TestKeys.ed25519(), user);
        assertThat(access.host(machine(s), settings().privateKey(pem).privateKeyPassphrase(Secret.of("s3cret"))
                .build()).run(Command.of("echo", "ok")).stdout()).isEqualTo("ok\n");
        assertThat(JdkEd25519.bouncyCastleRequested()).isTrue();
        assertThat(SecurityUtils.isBouncyCastleRegistered()).isTrue();
        assertThat(SecurityUtils.getEdDSASupport()).get().as("ed25519 stays the JDK's").isInstanceOf(JdkEd25519.class);
    }

    private TestServer start(KeyPair hostKey, KeyPair user) throws Exception {
        TestServer s = TestServer.start(hostKey, List.of(user.getPublic()));
        servers.add(s);
        trust(s);
        return s;
    }
}
