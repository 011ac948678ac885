package io.epiphany.api;

import org.immutables.value.Value;

/** Cluster networking: pod and service CIDRs and the DNS domain (the design's values by default). */
@Value.Immutable
@SdkStyle
public abstract class Networking {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Networking() {}

    @Value.Default
    public String podSubnet() {
        return "10.244.0.0/16";
    }

    @Value.Default
    public String serviceSubnet() {
        return "10.96.0.0/12";
    }

    @Value.Default
    public String dnsDomain() {
        return "cluster.local";
    }

    public static Networking defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link Networking}. */
    public static class Builder extends ImmutableNetworking.Builder {}
}
