package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.epiphany.api.LoadBalancerStatus.Kind;
import io.epiphany.api.LoadBalancerStatus.Server;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LoadBalancerStatusTest {
    static final List<String> DESCRIBED = List.of("m1 10.0.0.1:6443", "m2 10.0.0.2:6443");

    static Server server(String name, String ip, String status) {
        return new Server(name, ip + ":6443", status, status.startsWith("UP") ? "L7OK" : "L4TOUT",
                OptionalLong.of(3), 0, 1);
    }

    static LoadBalancerStatus.Host host(String name, Server... servers) {
        return new LoadBalancerStatus.Host(name, true, Optional.empty(), Optional.of("abc"), true, List.of(servers));
    }

    @Test
    void aMasterDownOnSomeHostsOnlyIsAPartition() {
        LoadBalancerStatus s = LoadBalancerStatus.of(List.of(
                host("n1", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "DOWN")),
                host("n2", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "UP")),
                host("n3", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "DOWN 1/2"))), DESCRIBED);
        assertThat(s.flags()).extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                .containsExactly(tuple(Kind.DOWN_ON_SOME_HOSTS, "m2"));
        assertThat(s.flags().get(0).message()).contains("[n1, n3]").contains("[n2]").contains("partition");
        assertThat(s.healthy()).isFalse();
    }

    @Test
    void backendsOtherThanTheDescriptionAreFlaggedPerHost() {
        LoadBalancerStatus s = LoadBalancerStatus.of(List.of(
                host("n1", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "UP")),
                host("n2", server("m1", "10.0.0.1", "UP")),
                host("n3", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.9", "UP"))), DESCRIBED);
        assertThat(s.flags()).extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                .containsExactly(tuple(Kind.BACKENDS_DIFFER, "n2"), tuple(Kind.BACKENDS_DIFFER, "n3"));
        assertThat(s.flags().get(1).message()).contains("10.0.0.9").contains("10.0.0.2");
    }

    @Test
    void aServerRowWithoutAnAddressIsComparedByName() {
        // HAProxy before 2.0 prints no address; a CI run on 2.6 showed one empty for a server marked DOWN by traffic
        Server noAddress = new Server("m1", "", "DOWN", "HANA", OptionalLong.empty(), 0, 1);
        LoadBalancerStatus s = LoadBalancerStatus.of(List.of(
                host("n1", noAddress, server("m2", "10.0.0.2", "UP")),
                host("n2", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "UP")),
                host("n3", new Server("m9", "", "UP", "L7OK", OptionalLong.of(1), 0, 1),
                        server("m2", "10.0.0.2", "UP"))), DESCRIBED);
        assertThat(s.flags()).extracting(LoadBalancerStatus.Flag::kind, LoadBalancerStatus.Flag::subject)
                .containsExactlyInAnyOrder(tuple(Kind.DOWN_ON_SOME_HOSTS, "m1"), tuple(Kind.BACKENDS_DIFFER, "n3"));
        assertThat(s.flags()).filteredOn(f -> f.kind() == Kind.BACKENDS_DIFFER).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("m9").contains("m1 10.0.0.1:6443"));
    }

    @Test
    void healthyFleetHasNoFlagsAndOneLinePerHostAndServer() {
        LoadBalancerStatus s = LoadBalancerStatus.of(List.of(
                host("n1", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "UP")),
                LoadBalancerStatus.Host.unreadable("n2", "HAProxy runtime API on n2: socket did not answer")),
                DESCRIBED);
        assertThat(s.flags()).extracting(LoadBalancerStatus.Flag::kind).containsExactly(Kind.NOT_RUNNING);
        assertThat(s.table().lines()).hasSize(1 + 2 + 1 + 1);
        LoadBalancerStatus ok = LoadBalancerStatus.of(List.of(
                host("n1", server("m1", "10.0.0.1", "UP"), server("m2", "10.0.0.2", "UP"))), DESCRIBED);
        assertThat(ok.healthy()).isTrue();
        assertThat(ok.table()).contains("n1").contains("L7OK").doesNotContain("!");
    }
}
