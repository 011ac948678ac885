package io.epiphany.testkit.sim;

import java.util.List;

/**
 * One command of a SIMULATED shell line: its words after quote removal and where its output goes.
 *
 * @param words program and arguments, never empty
 * @param discardStdout {@code >/dev/null} was given
 * @param discardStderr {@code 2>/dev/null} was given
 * @param stdoutFile the file of {@code > file} (created or truncated by the shell), or null
 */
public record SimpleCommand(List<String> words, boolean discardStdout, boolean discardStderr, String stdoutFile) {
    public SimpleCommand {
        words = List.copyOf(words);
    }

    public SimpleCommand(List<String> words, boolean discardStdout, boolean discardStderr) {
        this(words, discardStdout, discardStderr, null);
    }

    public String program() {
        return words.get(0);
    }

    public List<String> args() {
        return words.subList(1, words.size());
    }
}
