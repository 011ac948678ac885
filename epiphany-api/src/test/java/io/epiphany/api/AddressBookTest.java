package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** SshSettings.addressBook maps the address a machine is known by to the one dialed; closedNetwork allows only those. */
class AddressBookTest {

    @Test
    void anEntryWithAPortWinsOverTheHostAloneAndOtherAddressesStayAsTheyAre() {
        SshSettings s = SshSettings.builder().putAddressBook("10.0.0.5", "127.0.0.1:2201")
                .putAddressBook("10.0.0.5:2222", "nat.example:40022").putAddressBook("[fd00::5]:22", "[::1]:2205")
                .build();
        assertThat(s.dialed("10.0.0.5", 22)).isEqualTo(SshAddress.of("127.0.0.1", 2201));
        assertThat(s.dialed("10.0.0.5", 2222)).hasToString("nat.example:40022");
        assertThat(s.dialed("fd00::5", 22)).hasToString("[::1]:2205");
        assertThat(s.dialed("10.0.0.6", 22)).hasToString("10.0.0.6:22");
        assertThat(s.mayDial(SshAddress.of("192.0.2.1", 22))).as("an open network dials anything").isTrue();
    }

    @Test
    void aClosedNetworkAllowsOnlyTheAddressesTheBookDials() {
        SshSettings s = SshSettings.builder().putAddressBook("10.0.0.5", "127.0.0.1:2201")
                .closedNetwork("the lab network").build();
        assertThat(s.mayDial(s.dialed("10.0.0.5", 22))).isTrue();
        assertThat(s.mayDial(SshAddress.of("127.0.0.1", 2201))).isTrue();
        assertThat(s.mayDial(SshAddress.of("127.0.0.1", 2202))).isFalse();
        assertThat(s.mayDial(s.dialed("10.0.0.6", 22))).isFalse();
        assertThat(s.toString()).contains("the lab network").contains("10.0.0.5=127.0.0.1:2201");
    }

    @Test
    void badEntriesAreRefusedAtBuildNamingTheEntry() {
        assertThatThrownBy(() -> SshSettings.builder().putAddressBook("10.0.0.5", "127.0.0.1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.5 -> 127.0.0.1")
                .hasMessageContaining("needs a port");
        assertThatThrownBy(() -> SshSettings.builder().putAddressBook("10.0.0.5", "127.0.0.1:70000").build())
                .hasMessageContaining("1-65535");
        assertThatThrownBy(() -> SshSettings.builder().putAddressBook("not a host", "127.0.0.1:22").build())
                .hasMessageContaining("'not a host' is not an IP address or a DNS name");
        assertThatThrownBy(() -> SshSettings.builder().closedNetwork("lab").build())
                .hasMessageContaining("at least one addressBook entry");
        assertThatThrownBy(() -> SshAddress.parse("[fd00::5", 22)).hasMessageContaining("[address]:port");
    }

    @Test
    void aBadEntryInTheYamlIsAProblemNamingItsPath() throws java.io.IOException {
        String yaml = RoundTripTest.resource("/full-options-cluster.yml").replace("\"127.0.0.1:2205\"", "127.0.0.1");
        assertThatThrownBy(() -> Cluster.fromYaml(yaml)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(
                e.problems()).anySatisfy(p -> {
                    assertThat(p.field()).endsWith("ssh.address_book");
                    assertThat(p.message()).contains("10.0.0.5 -> 127.0.0.1").contains("needs a port");
                }));
    }
}
