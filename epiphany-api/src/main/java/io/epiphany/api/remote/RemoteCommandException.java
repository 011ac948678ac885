package io.epiphany.api.remote;

/** A command ran and exited with a code other than 0. */
public class RemoteCommandException extends RemoteException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult result;

    public RemoteCommandException(CommandResult result) {
        super(result.host(), "`" + result.command() + "` exited " + result.exitCode()
                + (result.stderrTail(5).isEmpty() ? "" : "; stderr: " + String.join(" | ", result.stderrTail(5))));
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }
}
