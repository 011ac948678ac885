package io.epiphany.api;

/**
 * Receives {@link ProgressEvent}s. Called concurrently from several hosts' work: keep it fast and thread-safe.
 * An exception thrown by a listener is logged and never changes the course of the operation.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores every event. */
    ProgressListener NONE = event -> { };

    void onEvent(ProgressEvent event);
}
