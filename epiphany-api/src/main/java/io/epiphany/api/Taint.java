package io.epiphany.api;

import java.util.Optional;
import org.immutables.value.Value;

/** A Kubernetes node taint, e.g. {@code Taint.of("dedicated=infra:NoSchedule")}. */
@Value.Immutable
@SdkStyle
public abstract class Taint {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Taint() {}

    /** Taint effects Kubernetes knows. */
    public enum Effect { NoSchedule, PreferNoSchedule, NoExecute }

    public abstract String key();

    public abstract Optional<String> value();

    public abstract Effect effect();

    public static Taint of(String key, String value, Effect effect) {
        return ImmutableTaint.builder().key(key).value(Optional.ofNullable(value)).effect(effect).build();
    }

    /**
     * Parses kubectl's notation {@code key[=value]:Effect}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static Taint of(String spec) {
        int colon = spec == null ? -1 : spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("taint '" + spec + "' is not key[=value]:Effect");
        }
        String kv = spec.substring(0, colon);
        Effect effect;
        try {
            effect = Effect.valueOf(spec.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("taint '" + spec + "' has effect '" + spec.substring(colon + 1)
                    + "'; use NoSchedule, PreferNoSchedule or NoExecute");
        }
        int eq = kv.indexOf('=');
        return eq < 0 ? of(kv, null, effect) : of(kv.substring(0, eq), kv.substring(eq + 1), effect);
    }

    /** kubectl's notation, {@code key[=value]:Effect}. */
    @Override
    public String toString() {
        return key() + value().map(v -> "=" + v).orElse("") + ":" + effect();
    }
}
