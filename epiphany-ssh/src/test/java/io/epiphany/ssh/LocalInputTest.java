package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client's own files: private keys and known_hosts are read bounded and only from regular files, and under
 * ACCEPT_NEW a host key is appended only to a file that is a known_hosts file. The preemptive timeouts only stop a
 * hang from blocking the build; they assert nothing about speed.
 */
class LocalInputTest extends SshFixture {
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @Test
    void aDeviceAsPrivateKeyIsRefusedBeforeItIsRead() throws Exception {
        TestServer s = server();
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> access.host(machine(s),
                settings().privateKey("/dev/zero").build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining("SshSettings.privateKey /dev/zero is not a regular file"));
        assertThat(s.commands).isEmpty();
    }

    @Test
    void aNamedPipeAsPrivateKeyIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("key.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        TestServer s = server();
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> access.host(machine(s),
                settings().privateKey(fifo).build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("is not a regular file"));
    }

    @Test
    void aHugePrivateKeyFileIsRefusedBySize() throws Exception {
        Path big = dir.resolve("big_key");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(KeyPairs.MAX_KEY_FILE_BYTES + 1L); // sparse: no disk used
        }
        TestServer s = server();
        assertThatThrownBy(() -> access.host(machine(s), settings().privateKey(big).build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("is larger than");
    }

    @Test
    void acceptNewDoesNotAppendToAFileThatIsNotKnownHosts() throws Exception {
        TestServer s = TestServer.start(TestKeys.ed25519(), List.of(clientKey.getPublic()));
        servers.add(s);
        Path passwd = dir.resolve("passwd-copy");
        String content = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
        Files.writeString(passwd, content);
        assertThatThrownBy(() -> access.host(machine(s), settings().knownHosts(passwd)
                .hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("line 1 is not a known_hosts entry")
                .hasMessageNotContaining("root:x");
        assertThat(Files.readString(passwd)).isEqualTo(content);
        assertThat(s.commands).isEmpty();
    }

    @Test
    void acceptNewAppendsToARealKnownHostsFileWithCommentsAndOtherHosts() throws Exception {
        TestServer other = server(); // writes a real entry for another host
        TestServer s = TestServer.start(TestKeys.ed25519(), List.of(clientKey.getPublic()));
        servers.add(s);
        Files.writeString(knownHosts, "# my hosts\n\n" + Files.readString(knownHosts));
        assertThat(access.host(machine(s), settings().hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build())
                .run(Command.of("echo", "ok")).stdout()).isEqualTo("ok\n");
        assertThat(new KnownHosts(knownHosts).lookup("127.0.0.1", s.port()).known()).isTrue();
        assertThat(new KnownHosts(knownHosts).lookup("127.0.0.1", other.port()).known()).isTrue();
    }

    @Test
    void aDeviceAsKnownHostsIsRefusedUnderStrict() throws Exception {
        TestServer s = server();
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> access.host(machine(s),
                settings().knownHosts("/dev/zero").build()).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("known_hosts /dev/zero is not a regular file"));
        assertThat(s.commands).isEmpty();
    }

    @Test
    void theBackoffStopsDoubling() {
        assertThat(Connector.backoffMillis(1)).isEqualTo(250);
        assertThat(Connector.backoffMillis(2)).isEqualTo(500);
        assertThat(Connector.backoffMillis(8)).isEqualTo(Connector.MAX_BACKOFF.toMillis());
        assertThat(Connector.backoffMillis(60)).isEqualTo(Connector.MAX_BACKOFF.toMillis());
        assertThat(Connector.backoffMillis(Integer.MAX_VALUE)).isEqualTo(Connector.MAX_BACKOFF.toMillis());
    }
}
