package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every control-plane flag of the description that differs from what the SDK renders on its own: the extra args of
 * the API server, controller-manager and scheduler that replace one of the SDK's flags or add one, for the plan's
 * notes (so a reviewer sees every departure from the defaults, not only the guarded ones). The kubelet takes no
 * extra args from the description (the SDK sets only {@code node-ip}), so it has none to list.
 */
public final class FlagChanges {
    /** Values are shown up to this length (a flag value is no secret, but it may be long). */
    private static final int SHOWN = 80;

    private FlagChanges() {}

    /** One line per flag, e.g. {@code controllerManagerExtraArgs.profiling = 'true' replaces the SDK's 'false'}. */
    public static List<String> of(Cluster cluster) {
        List<String> out = new ArrayList<>();
        add(out, "apiServer.extraArgs", ClusterConfiguration.sdkApiServerArgs(cluster), cluster.apiServer().extraArgs());
        add(out, "controllerManagerExtraArgs", ClusterConfiguration.sdkThenUser(Map.of(),
                ClusterConfiguration.CONTROLLER_MANAGER),
                cluster.controllerManagerExtraArgs());
        add(out, "schedulerExtraArgs", ClusterConfiguration.sdkThenUser(Map.of(),
                ClusterConfiguration.SCHEDULER), cluster.schedulerExtraArgs());
        return out;
    }

    private static void add(List<String> out, String field, Map<String, String> sdk, Map<String, String> user) {
        user.forEach((flag, value) -> {
            String sdkValue = sdk.get(flag);
            if (value.equals(sdkValue)) {
                return;
            }
            out.add(field + "." + flag + " = '" + shown(value) + "' " + (sdkValue == null
                    ? "is a flag the SDK does not set (kubeadm's or the component's own default applies without it)"
                    : "replaces the SDK's '" + shown(sdkValue) + "'"));
        });
    }

    private static String shown(String value) {
        return value.length() <= SHOWN ? value : value.substring(0, SHOWN) + "... (" + value.length() + " chars)";
    }
}
