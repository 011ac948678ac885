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
    void anAllowedOverrideIsRenderedAsGiven() {
        Cluster c = SEED.toBuilder().apiServer(ApiServer.builder().putExtraArg("authorization-mode",
                "Node,RBAC,Webhook").allowOverride("authorization-mode").build()).build();
        assertThat(ClusterConfiguration.apiServerArgs(c)).containsEntry("authorization-mode", "Node,RBAC,Webhook");
    }
}
