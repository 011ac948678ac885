package io.epiphany.api;

import org.immutables.value.Value;

/**
 * API server audit logging. The SDK writes the policy file (audit flags do nothing without one) and points the
 * API server at it; rotation follows the design (10 backups of 200 MB) plus CIS's 30 days.
 */
@Value.Immutable
@SdkStyle
public abstract class Audit {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Audit() {}

    @Value.Default
    public boolean enabled() {
        return true;
    }

    @Value.Default
    public String policyFile() {
        return "/etc/kubernetes/audit/policy.yaml";
    }

    @Value.Default
    public String logPath() {
        return "/var/log/apiserver/audit.log";
    }

    @Value.Default
    public int maxAge() {
        return 30;
    }

    @Value.Default
    public int maxBackup() {
        return 10;
    }

    @Value.Default
    public int maxSize() {
        return 200;
    }

    public static Audit defaults() {
        return builder().build();
    }

    public static Audit disabled() {
        return builder().enabled(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link Audit}. */
    public static class Builder extends ImmutableAudit.Builder {}
}
