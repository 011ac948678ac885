package io.epiphany.api;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Hears what an apply or reset does, in the manner of OkHttp's {@code EventListener}: override the callbacks you care
 * about; each does nothing by default except hand the same moment, as one {@link ProgressEvent}, to
 * {@link #onEvent}. Called concurrently from several hosts' work: keep it fast and thread-safe. An exception thrown
 * by a listener is logged and never changes the course of the operation.
 *
 * <pre>{@code
 * ApplyOptions.builder().listener(ProgressListener.printing(System.out))
 * ApplyOptions.builder().listener(ProgressListener.of(events::add))
 * }</pre>
 */
public interface ProgressListener {
    /** Ignores every event. */
    ProgressListener NONE = new ProgressListener() { };

    /** A phase with work to do starts; {@code steps} are the planned steps it will run. */
    default void phaseStarted(String phase, List<PlannedStep> steps) {
        onEvent(new ProgressEvent(ProgressEvent.Type.PHASE_STARTED, phase, null, null, null, null));
    }

    default void phaseFinished(String phase, Duration took) {
        onEvent(new ProgressEvent(ProgressEvent.Type.PHASE_FINISHED, phase, null, null, took, null));
    }

    default void stepStarted(PlannedStep step) {
        onEvent(new ProgressEvent(ProgressEvent.Type.STEP_STARTED, step.phase(), step.host(), step.action(), null,
                null));
    }

    default void stepFinished(PlannedStep step, Duration took) {
        onEvent(new ProgressEvent(ProgressEvent.Type.STEP_FINISHED, step.phase(), step.host(), step.action(), took,
                null));
    }

    /** A step failed; {@code error} has secrets redacted. */
    default void stepFailed(PlannedStep step, Duration took, String error) {
        onEvent(new ProgressEvent(ProgressEvent.Type.STEP_FAILED, step.phase(), step.host(), step.action(), took,
                error));
    }

    /** Every moment above as one value; does nothing unless overridden. */
    default void onEvent(ProgressEvent event) {}

    /** A listener of the {@link ProgressEvent} stream, e.g. {@code ProgressListener.of(events::add)}. */
    static ProgressListener of(Consumer<ProgressEvent> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return new ProgressListener() {
            @Override
            public void onEvent(ProgressEvent event) {
                consumer.accept(event);
            }
        };
    }

    /** One line per phase and per finished or failed step, e.g. for JShell or a test log. */
    static ProgressListener printing(PrintStream out) {
        Objects.requireNonNull(out, "out");
        return new ProgressListener() {
            @Override
            public void phaseStarted(String phase, List<PlannedStep> steps) {
                out.println("== " + phase + " (" + steps.size() + (steps.size() == 1 ? " step)" : " steps)"));
            }

            @Override
            public void stepFinished(PlannedStep step, Duration took) {
                out.println("   ok   " + step + " (" + took.toMillis() + " ms)");
            }

            @Override
            public void stepFailed(PlannedStep step, Duration took, String error) {
                out.println("   FAIL " + step + ": " + error);
            }
        };
    }
}
