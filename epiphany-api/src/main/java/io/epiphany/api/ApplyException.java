package io.epiphany.api;

import java.util.List;
import java.util.Optional;

/**
 * An apply (or reset) stopped. The message names the host, the phase, the command (secrets redacted), its exit code
 * and last stderr lines, and says what was completed and what was not, so nothing is left half-done silently.
 * Re-running after fixing the cause continues from the facts.
 */
public class ApplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String phase;
    private final String host;
    private final List<String> completed;
    private final List<String> notDone;

    public ApplyException(String phase, String host, String message, List<String> completed, List<String> notDone,
            Throwable cause) {
        super(format(phase, host, message, completed, notDone), cause);
        this.phase = phase;
        this.host = host;
        this.completed = List.copyOf(completed);
        this.notDone = List.copyOf(notDone);
    }

    private static String format(String phase, String host, String message, List<String> completed,
            List<String> notDone) {
        StringBuilder sb = new StringBuilder();
        sb.append(phase).append(" failed").append(host == null ? "" : " on " + host).append(": ").append(message);
        if (!completed.isEmpty()) {
            sb.append("\n  completed before the failure: ").append(String.join("; ", completed));
        }
        if (!notDone.isEmpty()) {
            sb.append("\n  not done: ").append(String.join("; ", notDone));
        }
        sb.append("\n  fix the cause and apply again: the SDK continues from what the hosts report");
        return sb.toString();
    }

    /** The phase that failed. */
    public String phase() {
        return phase;
    }

    /** The host that failed, when one did. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    public List<String> completed() {
        return completed;
    }

    public List<String> notDone() {
        return notDone;
    }
}
