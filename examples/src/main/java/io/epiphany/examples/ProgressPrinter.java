package io.epiphany.examples;

import io.epiphany.api.ProgressEvent;
import io.epiphany.api.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Live progress as text: a line when a phase starts, one per host step finished or failed, and the phase's duration
 * when it ends. Events arrive concurrently from several hosts; each becomes one whole {@code println}.
 */
public final class ProgressPrinter implements ProgressListener {
    private final PrintStream out;

    public ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEvent(ProgressEvent e) {
        String line = switch (e.type()) {
            case PHASE_STARTED -> "==> " + e.phase();
            case PHASE_FINISHED -> "    " + e.phase() + " done" + millis(e);
            case STEP_FINISHED -> "    ok    " + pad(e.host().orElse("")) + e.step().orElse("") + millis(e);
            case STEP_FAILED -> "    FAIL  " + pad(e.host().orElse("")) + e.step().orElse("") + millis(e) + ": "
                    + e.error().orElse("");
            case STEP_STARTED -> null;  // the finished line carries the duration; two lines per step is noise
        };
        if (line != null) {
            out.println(line);
            out.flush();
        }
    }

    private static String millis(ProgressEvent e) {
        return e.duration().map(Duration::toMillis).map(ms -> " (" + ms + " ms)").orElse("");
    }

    private static String pad(String host) {
        return String.format("%-8s", host) + " ";
    }
}
