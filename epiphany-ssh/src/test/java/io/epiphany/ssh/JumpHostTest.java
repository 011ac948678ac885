package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ProxyJump chains: the target is reached through the jump hosts, and every hop's host key is checked by name. */
class JumpHostTest extends SshFixture {

    @Test
    void aTargetIsReachedThroughTwoChainedJumpHosts() throws Exception {
        TestServer first = server();
        TestServer second = server();
        TestServer target = server();
        var settings = settings().addJumpHost("root@127.0.0.1:" + first.port())
                .addJumpHost("127.0.0.1:" + second.port()).build();
        assertThat(access.host(machine(target), settings).run(Command.of("echo", "via-jumps")).stdout())
                .isEqualTo("via-jumps\n");
        assertThat(first.sessions.get()).isEqualTo(1);
        assertThat(second.sessions.get()).isEqualTo(1);
        assertThat(target.sessions.get()).isEqualTo(1);
    }

    @Test
    void theTargetBehindAJumpIsCheckedUnderItsOwnNameNotTheForwardedPort() throws Exception {
        TestServer jump = server();
        TestServer untrusted = TestServer.start(TestKeys.ed25519(), List.of(clientKey.getPublic()));
        servers.add(untrusted);
        var settings = settings().addJumpHost("root@127.0.0.1:" + jump.port()).build();
        assertThatThrownBy(() -> access.host(machine(untrusted), settings).run(Command.of("true")))
                .isInstanceOf(RemoteException.class).hasMessageContaining("port " + untrusted.port())
                .hasMessageContaining(untrusted.fingerprint());
        assertThat(untrusted.commands).isEmpty();
    }
}
