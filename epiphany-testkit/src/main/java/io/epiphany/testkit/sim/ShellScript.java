package io.epiphany.testkit.sim;

import java.util.List;

/**
 * A parsed SIMULATED shell line: commands and brace groups joined by {@code ;}, {@code &&} and {@code ||},
 * evaluated left to right.
 */
public record ShellScript(List<Step> steps) {
    /** How a command is joined to the one before it. */
    public enum Join { FIRST, SEQUENCE, AND, OR }

    /**
     * One command, or one brace group {@code { ...; }} run in the same shell, and how it is joined to the previous
     * step. Exactly one of {@code command} and {@code group} is set.
     */
    public record Step(Join join, SimpleCommand command, ShellScript group) {
        public Step {
            if ((command == null) == (group == null)) {
                throw new IllegalArgumentException("a step is either a command or a group");
            }
        }

        public Step(Join join, SimpleCommand command) {
            this(join, command, null);
        }
    }

    public ShellScript {
        steps = List.copyOf(steps);
    }
}
