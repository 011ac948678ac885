package io.epiphany.api;

import java.util.Optional;
import org.immutables.value.Value;

/**
 * A Kubernetes node taint, e.g. {@code Taint.of("dedicated=infra:NoSchedule")}. Kept in the normal form kubectl
 * prints: an empty value is no value ({@code dedicated=:NoSchedule} is {@code dedicated:NoSchedule}), so a taint
 * read back from a Node equals the one described.
 */
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

    /** The API server stores an empty taint value as absent; so does this value. */
    @Value.Check
    protected Taint normalise() {
        if (value().isPresent() && value().get().isEmpty()) {
            return ImmutableTaint.builder().from(this).value(Optional.empty()).build();
        }
        return this;
    }

    /**
     * Parses kubectl's notation {@code key[=value]:Effect}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static Taint of(String spec) {
        int colon = spec == null ? -1 : spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("taint '" + (spec == null ? null : Problem.brief(spec))
                    + "' is not key[=value]:Effect");
        }
        String kv = spec.substring(0, colon);
        Effect effect;
        try {
            effect = Effect.valueOf(spec.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("taint '" + Problem.brief(spec) + "' has effect '"
                    + Problem.brief(spec.substring(colon + 1)) + "'; use NoSchedule, PreferNoSchedule or NoExecute");
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
