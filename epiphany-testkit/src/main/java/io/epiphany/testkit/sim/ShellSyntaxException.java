package io.epiphany.testkit.sim;

/** A line uses shell syntax the SIMULATED shell does not accept (pipes, variables, subshells, ...): exit 2. */
public final class ShellSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    public ShellSyntaxException(String message) {
        super(message);
    }
}
