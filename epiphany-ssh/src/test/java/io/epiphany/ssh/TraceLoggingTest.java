package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.epiphany.api.Secret;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With EVERY logger of the JVM at TRACE (its own surefire execution, see the pom), where Apache MINA SSHD hex-dumps
 * every packet and every decoded key: the SDK loads OpenSSH keys without the dump, still runs what carries no
 * secret, refuses what does (naming the logger to lower), and no secret reaches the log, an exception or a result.
 */
@Tag("trace-logging")
class TraceLoggingTest extends SshFixture {
    private final SecretScan scan = new SecretScan();
    private final List<String> seen = new ArrayList<>();

    @Test
    void noSecretReachesATraceLog() throws Exception {
        assertThat(LoggerFactory.getLogger("org.apache.sshd.client.session.ClientSessionImpl").isTraceEnabled())
                .as("this test runs with every logger at TRACE").isTrue();
        scan.add(seed(clientKey));
        TestServer server = server();
        RemoteHost host = host(server);

        CommandResult plain = host.run(Command.of("echo", "no secret here"));
        assertThat(plain.stdout()).isEqualTo("no secret here\n");
        seen.add(plain.toString());

        Secret token = Secret.randomBase64(32);
        scan.add(token.reveal());
        refused(() -> host.run(Command.of("sh", "-c", "echo $1", "sh", token.reveal()).secret(token)),
                "carries secrets");
        refused(() -> host.runAsync(Command.of("cat").stdin(token.reveal().getBytes()).secret(token)).join(),
                "carries secrets");

        Secret sudo = Secret.randomBase64(24);
        scan.add(sudo.reveal());
        RemoteHost asDeploy = access.host(machine(server), settings().user("deploy").sudoPassword(sudo).build());
        refused(() -> asDeploy.run(Command.of("true").asRoot()), "carries secrets");

        String fileSecret = Secret.randomBase64(32).reveal();
        scan.add(fileSecret);
        Path secretFile = dir.resolve("enc.yaml");
        refused(() -> host.upload(RemoteFile.of(secretFile.toString(), "secret: " + fileSecret + "\n", 0600)
                .owner(System.getProperty("user.name")).secret()), "the secret file");
        assertThat(secretFile).doesNotExist();
        Path onHost = dir.resolve("ca.key");
        String keyOnHost = Secret.randomBase64(32).reveal();
        scan.add(keyOnHost);
        Files.writeString(onHost, keyOnHost);
        refused(() -> host.read(onHost.toString()), "the content of");

        Path plainFile = dir.resolve("haproxy.cfg");
        host.upload(RemoteFile.of(plainFile.toString(), "global\n", 0644).owner(System.getProperty("user.name")));
        assertThat(plainFile).hasContent("global\n");

        KeyPair encrypted = TestKeys.ed25519();
        scan.add(seed(encrypted));
        TestServer second = TestServer.start(TestKeys.ed25519(), List.of(encrypted.getPublic()));
        servers.add(second);
        trust(second);
        String passphrase = Secret.randomBase64(24).reveal();
        scan.add(passphrase);
        SshSettings withPassphrase = settings().privateKey(TestKeys.write(encrypted, dir.resolve("id_enc"),
                passphrase)).privateKeyPassphrase(Secret.of(passphrase)).build();
        assertThat(access.host(machine(second), withPassphrase).run(Command.of("true")).exitCode()).isZero();

        KeyPair rsa = TestKeys.generate("ssh-rsa", 2048);
        BigInteger d = ((RSAPrivateCrtKey) rsa.getPrivate()).getPrivateExponent();
        scan.add(d.toByteArray());
        Path pem = dir.resolve("id_rsa.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                rsa.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        refused(() -> access.host(machine(server), settings().privateKey(pem).build()).run(Command.of("true")),
                "to the key parser");

        assertThat(server.commands).noneMatch(c -> c.contains(token.reveal()));
        String log = Files.readString(Path.of(System.getProperty("epiphany.test.log")));
        assertThat(log).as("the log is at TRACE").contains("TRACE org.apache.sshd.client.session.ClientSessionImpl")
                .contains("[chunk #1]");
        assertThat(scan.hits(log)).as("secrets in the TRACE log").isEmpty();
        assertThat(scan.hits(String.join("\n", seen))).as("secrets in messages and results").isEmpty();
    }

    private void refused(org.junit.jupiter.api.function.Executable action, String what) {
        Throwable t = catchThrowable(action::execute);
        Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
        assertThat(cause).isInstanceOf(RemoteException.class).hasMessageContaining(what)
                .hasMessageContaining("is at TRACE").hasMessageContaining("set it (or org.apache.sshd) to DEBUG");
        seen.add(String.valueOf(cause));
    }

    /** The 32-byte seed of an Ed25519 private key, from its PKCS#8 form (after the OCTET STRING 04 20). */
    private static byte[] seed(KeyPair pair) {
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        int at = HexFormat.of().formatHex(pkcs8).indexOf("04220420") / 2 + 4;
        assertThat(at).isGreaterThan(4);
        return java.util.Arrays.copyOfRange(pkcs8, at, at + 32);
    }
}
