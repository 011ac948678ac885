package io.epiphany.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Cluster;
import io.epiphany.api.Machine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ServerDelta}: which changes the runtime API can take, and the exact commands. */
class ServerDeltaTest {
    private static final Machine M1 = Machine.of("m1", "10.10.1.11");
    private static final Machine M2 = Machine.of("m2", "10.10.1.12");
    private static final Machine M3 = Machine.of("m3", "fd00::13");
    private static final Cluster CLUSTER = Cluster.builder().name("k8s1").masters(M1, M2, M3)
            .nodes(Machine.of("n1", "10.10.2.11")).build();

    private static String render(Machine... backends) {
        return HaproxyConfig.render(CLUSTER, List.of(backends), HaproxyVersion.V2_6);
    }

    private static final String DEFAULTS = "check check-ssl verify none inter 60s fastinter 2s downinter 10s fall 3 "
            + "rise 2 observe layer4 error-limit 2 on-error mark-down";

    @Test
    void aJoinedMasterIsAddedWithTheBackendsDefaultServerWordsThenCheckedThenEnabled() {
        var delta = ServerDelta.between(render(M1, M2), render(M1, M2, M3)).orElseThrow();
        assertThat(delta.commands()).containsExactly(
                "add server kube-apiserver/m3 [fd00::13]:6443 " + DEFAULTS,
                "enable health kube-apiserver/m3",
                "enable server kube-apiserver/m3");
        assertThat(delta.line()).isEqualTo(String.join("; ", delta.commands()) + "\n");
        assertThat(delta.live()).isEqualTo(render(M1, M2));
    }

    @Test
    void aLeavingMasterGoesToMaintenanceThenIsDeletedAfterTheAdditions() {
        var delta = ServerDelta.between(render(M1, M2), render(M2, M3)).orElseThrow();
        assertThat(delta.commands()).containsExactly(
                "add server kube-apiserver/m3 [fd00::13]:6443 " + DEFAULTS,
                "enable health kube-apiserver/m3",
                "enable server kube-apiserver/m3",
                "set server kube-apiserver/m1 state maint",
                "del server kube-apiserver/m1");
    }

    @Test
    void aDrainedMastersMarkedLineCanStillBeRemoved() {
        // what the engine keeps as the live file after HaproxyService.drain: the removal still needs no reload
        String drained = HaproxyService.drainedConfig(render(M1, M2, M3), "m3");
        assertThat(drained).contains("server m3 [fd00::13]:6443" + HaproxyRuntime.DRAIN_MARK + "\n");
        assertThat(ServerDelta.between(drained, render(M1, M2)).orElseThrow().commands())
                .containsExactly("set server kube-apiserver/m3 state maint", "del server kube-apiserver/m3");
        assertThat(HaproxyService.readyConfig(drained, "m3")).as("ready undoes the mark").isEqualTo(render(M1, M2, M3));
        assertThatThrownBy(() -> HaproxyService.drainedConfig(render(M1, M2), "m3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'server m3' line");
    }

    @Test
    void anyOtherDifferenceNeedsTheReload() {
        String two = render(M1, M2);
        assertThat(ServerDelta.between(two, two)).as("nothing to do").isEmpty();
        assertThat(ServerDelta.between(two, two.replace("timeout connect 1s", "timeout connect 2s"))).isEmpty();
        assertThat(ServerDelta.between(two, two.replace("10.10.1.12:6443", "10.10.1.99:6443")))
                .as("a master's new address").isEmpty();
        assertThat(ServerDelta.between(two, HaproxyRuntime.mark(two, "m2", HaproxyRuntime.DRAIN_MARK)))
                .as("a mark changes a kept line").isEmpty();
        assertThat(ServerDelta.between(two, render(M2, M1))).as("only the order").isEmpty();
        assertThat(ServerDelta.between("global\n    maxconn 10\n", two)).as("the package's own file").isEmpty();
        assertThat(ServerDelta.between(two + "\nlisten other\n    server x 127.0.0.1:1\n", render(M1, M2, M3)
                + "\nlisten other\n    server x 127.0.0.1:1\n")).as("servers outside the SDK's backend").isEmpty();
    }

    @Test
    void aWordThatCouldEndTheRuntimeCommandIsNeverSent() {
        String two = render(M1, M2);
        String three = two.replace("    server m2 10.10.1.12:6443\n",
                "    server m2 10.10.1.12:6443\n    server m3 10.10.1.13:6443 weight;1\n");
        assertThat(ServerDelta.between(two, three)).isEmpty();
    }

    @Test
    void aMasterAddedDisabledIsNotEnabled() {
        String two = render(M1, M2);
        String three = HaproxyRuntime.mark(render(M1, M2, M3), "m3", HaproxyRuntime.MAINT_MARK);
        assertThat(ServerDelta.between(two, three).orElseThrow().commands()).containsExactly(
                "add server kube-apiserver/m3 [fd00::13]:6443 " + DEFAULTS + " disabled",
                "enable health kube-apiserver/m3");
    }
}
