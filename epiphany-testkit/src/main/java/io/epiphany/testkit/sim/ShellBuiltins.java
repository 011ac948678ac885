package io.epiphany.testkit.sim;

import java.io.PrintStream;
import java.util.List;

/** The SIMULATED shell's builtins that need no shell state: {@code exit}, {@code echo}, {@code command -v}. */
final class ShellBuiltins {
    private ShellBuiltins() {}

    /** {@code exit [N]}: N modulo 256, or the last command's status. */
    static int exitStatus(List<String> words, int before, PrintStream err) {
        if (words.size() == 1) {
            return before;
        }
        if (words.size() == 2 && words.get(1).matches("\\d{1,9}")) {
            return Integer.parseInt(words.get(1)) & 0xff;
        }
        err.println("sh: 1: exit: Illegal number: " + String.join(" ", words.subList(1, words.size())));
        return 2;
    }

    /** {@code echo WORD...}: the words and a newline; options and backslash escapes (dash's) are refused. */
    static int echo(List<String> words, PrintStream out, PrintStream err) {
        List<String> args = words.subList(1, words.size());
        if (args.stream().anyMatch(a -> a.startsWith("-") || a.contains("\\"))) {
            err.println("sh: 1: echo: only plain words are supported by the SIMULATED shell");
            return 2;
        }
        out.println(String.join(" ", args));
        return 0;
    }

    static int commandV(HostContext host, List<String> w, PrintStream out, PrintStream err) {
        if (w.size() != 3 || !"-v".equals(w.get(1))) {
            err.println("sh: 1: command: only 'command -v <name>' is supported by the SIMULATED shell");
            return 2;
        }
        String name = w.get(2);
        boolean builtin = List.of("command", "cd", "echo", "exit", "true", "false", "test", "umask").contains(name);
        if (builtin) {
            out.println(name);
            return 0;
        }
        if (host.host(h -> h.binaries.contains(SimulatedOs.baseName(name)))) {
            out.println(name.contains("/") ? name : SimulatedOs.binaryPath(name));
            return 0;
        }
        return 1;
    }
}
