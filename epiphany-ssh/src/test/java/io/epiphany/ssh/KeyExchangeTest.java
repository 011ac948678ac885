package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.SshSettings;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SshSettings#keyExchange()}: the client offers that list, in that order, per connection. */
class KeyExchangeTest extends SshFixture {
    @Test
    void theDefaultPrefersTheCheapPostQuantumHybridThenX25519() throws Exception {
        RemoteHost host = host(server());
        assertThat(host.keyExchange()).as("not connected yet").isEmpty();
        host.run(Command.of("true")).orThrow();
        // the embedded MINA server has every exchange: the first of the SDK's list wins
        assertThat(host.keyExchange()).contains("mlkem768x25519-sha256");
        assertThat(SshSettings.DEFAULT_KEY_EXCHANGE.subList(0, 2))
                .containsExactly("mlkem768x25519-sha256", "curve25519-sha256");
        assertThat(SshSettings.DEFAULT_KEY_EXCHANGE).noneMatch(k -> k.endsWith("sha1"));
    }

    @Test
    void eachConnectionOffersItsOwnList() throws Exception {
        TestServer s = server();
        RemoteHost ecdh = access.host(machine(s), settings().keyExchange(List.of("ecdh-sha2-nistp256",
                "curve25519-sha256")).build());
        RemoteHost x25519 = access.host(machine(s), settings().keyExchange(List.of("curve25519-sha256")).build());
        ecdh.run(Command.of("true")).orThrow();
        x25519.run(Command.of("true")).orThrow();
        assertThat(ecdh.keyExchange()).contains("ecdh-sha2-nistp256");
        assertThat(x25519.keyExchange()).contains("curve25519-sha256");
    }

    @Test
    void anUnknownNameIsRefusedWithTheAvailableOnes() {
        assertThatThrownBy(() -> KeyExchange.factories(List.of("curve25519-sha256", "diffie-hellman-group99")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'diffie-hellman-group99'")
                .hasMessageContaining("curve25519-sha256");
    }
}
