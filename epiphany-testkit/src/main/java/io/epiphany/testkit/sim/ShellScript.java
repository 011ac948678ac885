package io.epiphany.testkit.sim;

import java.util.List;

/** A parsed SIMULATED shell line: commands joined by {@code ;}, {@code &&} and {@code ||}, evaluated left to right. */
public record ShellScript(List<Step> steps) {
    /** How a command is joined to the one before it. */
    public enum Join { FIRST, SEQUENCE, AND, OR }

    /** One command and how it is joined to the previous one. */
    public record Step(Join join, SimpleCommand command) {}

    public ShellScript {
        steps = List.copyOf(steps);
    }
}
