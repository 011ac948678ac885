package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteHost;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The keep-alive heartbeat reaches the server at the configured interval and the idle session stays usable. */
class KeepAliveTest extends SshFixture {
    @Test
    void anIdleSessionSendsKeepAlivesAndStaysUsable() throws Exception {
        TestServer s = server();
        RemoteHost h = access.host(machine(s), settings().keepAliveInterval(Duration.ofMillis(200)).build());
        h.run(Command.of("true")).orThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.ignoreMessages.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(s.ignoreMessages.get()).as("keep-alive messages after an idle spell").isGreaterThanOrEqualTo(3);
        h.run(Command.of("true")).orThrow();
        assertThat(s.sessions.get()).as("the same session served both commands").isEqualTo(1);
    }

    @Test
    void noHeartbeatWhenTheIntervalIsZero() throws Exception {
        TestServer s = server();
        RemoteHost h = access.host(machine(s), settings().keepAliveInterval(Duration.ZERO).build());
        h.run(Command.of("true")).orThrow();
        Thread.sleep(600);
        assertThat(s.ignoreMessages.get()).isZero();
    }
}
