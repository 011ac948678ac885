package io.epiphany.api;

import java.util.List;
import java.util.Map;
import org.immutables.value.Value;

/**
 * kube-apiserver options. Defaults: the design's admission plugins without {@code DenyEscalatingExec} (removed in
 * Kubernetes 1.21), profiling off, audit logging with a policy.
 */
@Value.Immutable
@SdkStyle
public abstract class ApiServer {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    ApiServer() {}

    static final List<String> DEFAULT_ADMISSION_PLUGINS =
            List.of("AlwaysPullImages", "NamespaceLifecycle", "ServiceAccount", "NodeRestriction");

    /** {@code --enable-admission-plugins}; replaces kubeadm's default, so it must contain {@code NodeRestriction}. */
    @Value.Default
    public List<String> admissionPlugins() {
        return DEFAULT_ADMISSION_PLUGINS;
    }

    @Value.Default
    public boolean profiling() {
        return false;
    }

    @Value.Default
    public Audit audit() {
        return Audit.defaults();
    }

    /**
     * Further flags, without the leading dashes. A flag the SDK sets for safety (admission plugins, authorization,
     * anonymous auth, encryption, audit, profiling, kubelet and PKI files) is refused here unless
     * {@link #allowOverride()} names it.
     */
    public abstract Map<String, String> extraArgs();

    /**
     * Managed flags that {@link #extraArgs()} may replace anyway, e.g. {@code allowOverride("authorization-mode")}:
     * the explicit "I know". Each override is listed in {@link Cluster#warnings()}.
     */
    public abstract java.util.Set<String> allowOverride();

    public static ApiServer defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link ApiServer}. */
    public static class Builder extends ImmutableApiServer.Builder {
        /** Replaces the managed flags extra args may override. */
        public final Builder allowOverride(String... flags) {
            return allowOverride(java.util.Arrays.asList(flags));
        }
    }
}
