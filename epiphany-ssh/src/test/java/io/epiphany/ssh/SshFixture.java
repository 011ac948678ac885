package io.epiphany.ssh;

import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.Machine;
import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Per-test embedded servers, a client key, a known_hosts file listing the servers, and one runtime. */
abstract class SshFixture {
    @TempDir
    Path dir;
    KeyPair clientKey;
    Path clientKeyFile;
    Path knownHosts;
    SshRemoteAccess access;
    final List<TestServer> servers = new ArrayList<>();

    @BeforeEach
    void setUpFixture() throws Exception {
        clientKey = TestKeys.ed25519();
        clientKeyFile = TestKeys.write(clientKey, dir.resolve("id_ed25519"), null);
        knownHosts = dir.resolve("known_hosts");
        access = newAccess();
    }

    SshRemoteAccess newAccess() {
        return SshRemoteAccess.create();
    }

    @AfterEach
    void tearDownFixture() throws IOException {
        if (access != null) {
            access.close();
        }
        for (TestServer s : servers) {
            s.close();
        }
    }

    /** A server trusted in known_hosts. */
    TestServer server() throws Exception {
        TestServer s = TestServer.start(TestKeys.ed25519(), List.of(clientKey.getPublic()));
        servers.add(s);
        trust(s);
        return s;
    }

    void trust(TestServer s) throws IOException {
        Files.writeString(knownHosts, s.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    SshSettings.Builder settings() {
        return SshSettings.builder().user("root").privateKey(clientKeyFile).knownHosts(knownHosts)
                .hostKeyPolicy(HostKeyPolicy.STRICT);
    }

    static Machine machine(TestServer s) {
        return Machine.builder().hostname("h" + s.port()).ip("127.0.0.1").sshPort(s.port()).build();
    }

    RemoteHost host(TestServer s) {
        return access.host(machine(s), settings().build());
    }
}
