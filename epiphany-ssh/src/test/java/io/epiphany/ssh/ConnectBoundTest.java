package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.FanOut;
import io.epiphany.api.remote.RemoteHost;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Connects not yet authenticated are bounded: over the whole access, and per jump host (sshd's MaxStartups). */
class ConnectBoundTest extends SshFixture {
    @Test
    void aFanOutKeepsAtMostTheBoundOfConnectsInFlight() throws Exception {
        access.close();
        access = SshRemoteAccess.builder().maxConnectsInFlight(2).build();
        List<TestServer> targets = new ArrayList<>();
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        for (int i = 0; i < 6; i++) {
            TestServer s = server();
            s.authDelayMillis = 150;
            s.unauthenticated = now;
            s.maxUnauthenticated = peak;
            targets.add(s);
        }
        List<RemoteHost> hosts = targets.stream().map(this::host).toList();
        var outcomes = FanOut.over(hosts).concurrency(6).run(h -> h.runAsync(Command.of("true")));
        assertThat(outcomes.values()).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
        // every server sees its own connect: what is bounded is how many were in flight at once, summed over time
        assertThat(targets).allSatisfy(s -> assertThat(s.sessions.get()).isEqualTo(1));
        assertThat(peak.get()).as("connects in flight at once, over the 6 servers").isBetween(1, 2);
    }

    @Test
    void aFanOutThroughOneJumpHostStaysBelowItsMaxStartups() throws Exception {
        TestServer jump = server();
        jump.authDelayMillis = 100;
        var settings = settings().addJumpHost("root@127.0.0.1:" + jump.port()).build();
        List<RemoteHost> hosts = new ArrayList<>();
        for (int i = 0; i < Connector.JUMP_HOST_STARTUPS + 6; i++) {
            hosts.add(access.host(machine(server()), settings));
        }
        var outcomes = FanOut.over(hosts).concurrency(hosts.size()).run(h -> h.runAsync(Command.of("true")));
        assertThat(outcomes.values()).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
        assertThat(jump.sessions.get()).isEqualTo(hosts.size());
        assertThat(jump.maxUnauthenticated.get()).isLessThanOrEqualTo(Connector.JUMP_HOST_STARTUPS);
    }

    @Test
    void theBoundMustBePositive() {
        assertThatThrownBy(() -> SshRemoteAccess.builder().maxConnectsInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnectsInFlight");
    }
}
