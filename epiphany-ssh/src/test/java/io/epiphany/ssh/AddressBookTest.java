package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteException;
import org.junit.jupiter.api.Test;

/**
 * SshSettings.addressBook: a machine known by an address it cannot be dialed at is reached through the book (every
 * hop, jump hosts too, the host key checked under the address dialed), and a closed network refuses anything else
 * before a socket opens. Only loopback is ever dialed here.
 */
class AddressBookTest extends SshFixture {

    @Test
    void aMachineIsDialedWhereTheBookSaysAndItsHostKeyCheckedThere() throws Exception {
        TestServer s = server();
        var settings = settings().putAddressBook("10.20.0.5", "127.0.0.1:" + s.port()).closedNetwork("the test network")
                .build();
        assertThat(access.host(Machine.of("m1", "10.20.0.5"), settings).run(Command.of("echo", "booked")).stdout())
                .isEqualTo("booked\n");
        assertThat(s.sessions.get()).isEqualTo(1);
    }

    @Test
    void aClosedNetworkRefusesAnyOtherAddressAtOnceWithoutRetrying() throws Exception {
        TestServer s = server();
        // 20 attempts would back off for minutes if the refusal were taken for a network error
        var settings = settings().putAddressBook("10.20.0.5", "127.0.0.1:" + s.port()).closedNetwork("the test network")
                .connectAttempts(20).build();
        long started = System.nanoTime();
        assertThatThrownBy(() -> access.host(Machine.of("m9", "192.0.2.9"), settings).run(Command.of("true")))
                .isInstanceOf(RemoteException.class)
                .hasMessage("m9: cannot connect to 192.0.2.9:22: 192.0.2.9:22 is not part of the test network "
                        + "(SshSettings.closedNetwork: only the addresses of SshSettings.addressBook may be dialed); "
                        + "refused before any packet was sent")
                .hasRootCauseInstanceOf(HostTarget.ClosedNetworkRefusal.class);
        System.out.printf("closed network refusal after %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertThat(s.sessions.get()).isZero();
    }

    @Test
    void jumpHostsAreMappedAndCheckedToo() throws Exception {
        TestServer jump = server();
        TestServer target = server();
        var settings = settings().putAddressBook("10.20.0.1", "127.0.0.1:" + jump.port())
                .putAddressBook("10.20.0.5", "127.0.0.1:" + target.port()).closedNetwork("the test network")
                .addJumpHost("root@10.20.0.1").build();
        assertThat(access.host(Machine.of("m1", "10.20.0.5"), settings).run(Command.of("echo", "via")).stdout())
                .isEqualTo("via\n");
        assertThat(jump.sessions.get()).isEqualTo(1);
        assertThat(target.sessions.get()).isEqualTo(1);

        var outside = settings.toBuilder().jumpHosts(java.util.List.of("root@198.51.100.1:2222")).build();
        assertThatThrownBy(() -> access.host(Machine.of("m1", "10.20.0.5"), outside).run(Command.of("true")))
                .hasMessageContaining("cannot connect to 198.51.100.1:2222: 198.51.100.1:2222 is not part of the "
                        + "test network");
        assertThat(jump.sessions.get()).isEqualTo(1);
    }
}
