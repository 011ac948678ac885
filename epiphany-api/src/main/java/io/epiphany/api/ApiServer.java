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

    /** Further flags, without the leading dashes; they win over the SDK's own. */
    public abstract Map<String, String> extraArgs();

    public static ApiServer defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link ApiServer}. */
    public static class Builder extends ImmutableApiServer.Builder {}
}
