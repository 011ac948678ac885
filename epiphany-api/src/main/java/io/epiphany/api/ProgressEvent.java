package io.epiphany.api;

import java.time.Duration;
import java.util.Optional;

/** Something that happened during an apply or reset: a phase or a host step starting, finishing or failing. */
public final class ProgressEvent {
    /** What happened. */
    public enum Type { PHASE_STARTED, PHASE_FINISHED, STEP_STARTED, STEP_FINISHED, STEP_FAILED }

    private final Type type;
    private final String phase;
    private final String host;
    private final String step;
    private final Duration duration;
    private final String error;

    public ProgressEvent(Type type, String phase, String host, String step, Duration duration, String error) {
        this.type = type;
        this.phase = phase;
        this.host = host;
        this.step = step;
        this.duration = duration;
        this.error = error;
    }

    public Type type() {
        return type;
    }

    public String phase() {
        return phase;
    }

    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public Optional<String> step() {
        return Optional.ofNullable(step);
    }

    /** For finished and failed events. */
    public Optional<Duration> duration() {
        return Optional.ofNullable(duration);
    }

    /** For failed steps: the error, secrets redacted. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type.name()).append(' ').append(phase);
        if (host != null) {
            sb.append(" [").append(host).append(']');
        }
        if (step != null) {
            sb.append(' ').append(step);
        }
        if (duration != null) {
            sb.append(" (").append(duration.toMillis()).append(" ms)");
        }
        if (error != null) {
            sb.append(": ").append(error);
        }
        return sb.toString();
    }
}
