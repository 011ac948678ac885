package io.epiphany.kubeadm.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApiServer;
import io.epiphany.api.Cluster;
import io.epiphany.api.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The renderer and the API's guard agree: every API server flag the renderer sets for the SDK is refused as an extra
 * arg (extra args win, so it would silently replace the SDK's value), and an allowed override is what gets rendered.
 */
class ManagedFlagsRenderTest {
    private static final Cluster SEED = Fixtures.seed();

    @Test
    void everyApiServerFlagTheSdkSetsIsGuarded() {
        Map<String, String> sdk = ClusterConfiguration.apiServerArgs(SEED);
        assertThat(sdk).containsKeys("enable-admission-plugins", "profiling", "audit-policy-file",
                "encryption-provider-config");
        for (String flag : sdk.keySet()) {
            assertThatThrownBy(() -> SEED.toBuilder().apiServer(ApiServer.builder().putExtraArg(flag, "x").build())
                    .build()).as(flag).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("apiServer.extraArgs." + flag)
                    .hasMessageContaining("replaces a flag the SDK sets for safety");
        }
    }

    @Test
    void everyControllerManagerAndSchedulerSafetyFlagIsGuarded() {
        assertThatThrownBy(() -> SEED.toBuilder().putControllerManagerExtraArg("profiling", "true").build())
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> SEED.toBuilder().putSchedulerExtraArg("profiling", "true").build())
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void everyFlagThatDiffersFromTheSdksIsANoteAndOnlyThose() {
        Cluster c = SEED.toBuilder().apiServer(SEED.apiServer().toBuilder().putExtraArg("request-timeout", "90s")
                .build()).putControllerManagerExtraArg("profiling", "true").addControllerManagerAllowOverride(
                        "profiling").putControllerManagerExtraArg("terminated-pod-gc-threshold", "200")
                .putSchedulerExtraArg("bind-address", "0.0.0.0").addSchedulerAllowOverride("bind-address")
                .putSchedulerExtraArg("leader-elect", "x".repeat(200)).build();
        assertThat(FlagChanges.of(c)).containsExactlyInAnyOrder(
                "apiServer.extraArgs.request-timeout = '90s' is a flag the SDK does not set (kubeadm's or the "
                        + "component's own default applies without it)",
                "controllerManagerExtraArgs.profiling = 'true' replaces the SDK's 'false'",
                "schedulerExtraArgs.bind-address = '0.0.0.0' is a flag the SDK does not set (kubeadm's or the "
                        + "component's own default applies without it)",
                "schedulerExtraArgs.leader-elect = '" + "x".repeat(80) + "... (200 chars)' is a flag the SDK does "
                        + "not set (kubeadm's or the component's own default applies without it)");
        assertThat(FlagChanges.of(SEED)).as("the seed sets no extra args").isEmpty();
    }

    @Test
    void anAllowedOverrideIsRenderedAsGiven() {
        Cluster c = SEED.toBuilder().apiServer(ApiServer.builder().putExtraArg("authorization-mode",
                "Node,RBAC,Webhook").allowOverride("authorization-mode").build()).build();
        assertThat(ClusterConfiguration.apiServerArgs(c)).containsEntry("authorization-mode", "Node,RBAC,Webhook");
    }
}
