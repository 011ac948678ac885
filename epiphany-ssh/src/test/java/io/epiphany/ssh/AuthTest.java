package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Secret;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Client keys of every supported type, encrypted or not; wrong keys refused without retries. */
class AuthTest extends SshFixture {

    @ParameterizedTest
    @CsvSource({"ssh-ed25519,256,", "ssh-ed25519,256,pass phrase", "ecdsa-sha2-nistp256,256,",
            "ecdsa-sha2-nistp384,384,s3cret", "ssh-rsa,3072,", "ssh-rsa,2048,rsa-pass"})
    void keysOfEveryTypeAuthenticate(String type, int bits, String passphrase) throws Exception {
        KeyPair key = TestKeys.generate(type, bits);
        Path file = TestKeys.write(key, dir.resolve("key-" + type + bits), passphrase);
        TestServer s = TestServer.start(TestKeys.ed25519(), List.of(key.getPublic()));
        servers.add(s);
        trust(s);
        var settings = settings().privateKey(file);
        if (passphrase != null) {
            settings.privateKeyPassphrase(Secret.of(passphrase));
        }
        assertThat(access.host(machine(s), settings.build()).run(Command.of("echo", type)).stdout())
                .isEqualTo(type + "\n");
    }

    @Test
    void aWrongClientKeyIsRefusedOnceAndNamesWhatToCheck() throws Exception {
        TestServer s = server();
        Path other = TestKeys.write(TestKeys.ed25519(), dir.resolve("other"), null);
        assertThatThrownBy(() -> access.host(machine(s), settings().privateKey(other).build())
                .run(Command.of("true"))).isInstanceOf(RemoteException.class)
                .hasMessageContaining("h" + s.port()).hasMessageContaining("authentication as 'root' refused")
                .hasMessageContaining("privateKey");
        assertThat(s.sessions.get()).as("no retry after an authentication failure").isEqualTo(1);
        assertThat(s.commands).isEmpty();
    }

    @Test
    void aWrongPassphraseSaysSoWithoutShowingIt() throws Exception {
        TestServer s = server();
        Path encrypted = TestKeys.write(TestKeys.ed25519(), dir.resolve("enc"), "right-one");
        assertThatThrownBy(() -> access.host(machine(s), settings().privateKey(encrypted)
                .privateKeyPassphrase(Secret.of("wrong-one")).build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("privateKeyPassphrase")
                .hasMessageNotContaining("wrong-one").hasMessageNotContaining("right-one");
    }

    @Test
    void refusedConnectionsAreRetriedThenReported() throws Exception {
        TestServer s = server();
        int port = s.port();
        s.close();
        servers.remove(s);
        var m = io.epiphany.api.Machine.builder().hostname("gone").ip("127.0.0.1").sshPort(port).build();
        assertThatThrownBy(() -> access.host(m, settings().connectAttempts(3).build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("gone")
                .hasMessageContaining("after 3 attempts");
    }

    @Test
    void sshConfigAndAgentAreRefusedClearlyRatherThanIgnored() throws Exception {
        TestServer s = server();
        assertThatThrownBy(() -> access.host(machine(s), settings().useSshConfig(true).build())
                .run(Command.of("true"))).isInstanceOf(RemoteException.class).hasMessageContaining("useSshConfig");
        assertThatThrownBy(() -> access.host(machine(s), settings().useAgent(true).build())
                .run(Command.of("true"))).isInstanceOf(RemoteException.class).hasMessageContaining("useAgent");
        assertThat(s.sessions.get()).isZero();
    }
}
