package io.epiphany.kubeadm.engine;

import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Read-only queries of one host sent as one exec (docs/host-commands.md, "Facts in one exec"): the script travels on
 * stdin ({@link Command#lineOnStdin}) and runs as root; each query is a section that prints a begin line
 * {@code <mark> <name>}, the query's stdout as it is, and an end {@code <mark> <exit status>}, where the mark carries
 * a random nonce of this run, so no content can end a section early or forge one. Each query's stderr goes to
 * {@code /dev/null}: the outcome is its exit status, as the separate commands' was. Only files without secrets are
 * read this way (the output is not redacted); the script uses only the SIMULATED shell's language (words, {@code ;},
 * {@code ||}, brace groups, {@code 2>/dev/null}, {@code echo}, {@code $?}).
 */
final class FactsScript {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String mark;
    private final List<String> names = new ArrayList<>();
    private final Set<String> optional = new HashSet<>();
    private final StringBuilder script = new StringBuilder();
    private byte[] stdin = new byte[0];
    private int groups;

    FactsScript() {
        byte[] nonce = new byte[8];
        RANDOM.nextBytes(nonce);
        this.mark = "epiphany-facts-" + HexFormat.of().formatHex(nonce);
    }

    /**
     * A simple command (one program and its words); its stdin, if any, becomes the script's (one command at most may
     * have stdin: the others do not read it).
     */
    FactsScript command(String name, Command c) {
        c.stdin().ifPresent(bytes -> {
            if (stdin.length > 0) {
                throw new IllegalStateException("two queries of one facts script read stdin");
            }
            stdin = bytes;
        });
        return section(name, c.line());
    }

    /** The content of a text file without secrets; exit 1 when it does not exist. */
    FactsScript cat(String path) {
        return section(catName(path), "cat " + Shell.quote(path));
    }

    /** The SHA-256 of a file (whose content then never leaves the host). */
    FactsScript sha256(String path) {
        return section(shaName(path), "sha256sum " + Shell.quote(path));
    }

    /** Whether a path exists. */
    FactsScript exists(String path) {
        return section(existsName(path), "test -e " + Shell.quote(path));
    }

    /** The lines of a file that contain {@code word} (a fixed string): the one line needed of a file with secrets. */
    FactsScript grep(String word, String path) {
        return section(grepName(path), "grep -F " + Shell.quote(word) + " " + Shell.quote(path));
    }

    /** Queries that run only where {@code path} does not exist (their sections are then absent). */
    FactsScript unlessExists(String path, Consumer<FactsScript> queries) {
        script.append("test -e ").append(Shell.quote(path)).append(" || { ");
        int before = names.size();
        groups++;
        queries.accept(this);
        groups--;
        if (names.size() == before) {
            throw new IllegalArgumentException("an empty group");
        }
        script.append("}; ");
        return this;
    }

    private FactsScript section(String name, String line) {
        if (names.contains(name) || name.isBlank() || name.matches("\\d+") || name.contains("\n")) {
            throw new IllegalArgumentException("bad or repeated section name: " + name);
        }
        names.add(name);
        if (groups > 0) {
            optional.add(name);
        }
        script.append("echo ").append(mark).append(' ').append(Shell.quote(name)).append("; ").append(line)
                .append(" 2>/dev/null; echo \"").append(mark).append(" $?\"; ");
        return this;
    }

    /** The one command: the script as root, on stdin, read-only. */
    Command toCommand() {
        return Command.shell(script.toString().strip()).stdin(stdin).asRoot().readOnly().lineOnStdin()
                .label("facts script, " + names.size() + " sections");
    }

    /**
     * Runs the script on {@code h} and parses what it printed. A transport failure names "the facts script", not its
     * 10 KiB of text.
     */
    Result run(RemoteHost h) {
        Command c = toCommand();
        CommandResult r;
        try {
            r = h.run(c);
        } catch (RemoteException e) {
            String shown = "`" + c + "`";
            String prefix = e.host() + ": ";
            if (e.getClass() != RemoteException.class || !e.getMessage().startsWith(prefix)
                    || !e.getMessage().contains(shown)) {
                throw e;
            }
            throw new RemoteException(e.host(), e.getMessage().substring(prefix.length()).replace(shown,
                    "the facts script"), e.getCause());
        }
        return parse(r);
    }

    /**
     * What to raise: the transport keeps the first maxOutputBytes of stdout (a cut stdout holds exactly that many
     * bytes, one split UTF-8 character aside), so the kept length is the cap in force.
     */
    private static String overCap(CommandResult r) {
        int kept = r.stdout().getBytes(StandardCharsets.UTF_8).length;
        return "printed more than the output cap (" + kept + " bytes of stdout kept): raise "
                + "SshRemoteAccess.builder().maxOutputBytes(...) above " + kept + " and pass that access as "
                + "ApplyOptions.remoteAccess";
    }

    /**
     * The sections of the script's output. Error messages name sections and exit statuses, never content.
     *
     * @throws RemoteException when the script did not run to its end (a shell error, cut output)
     */
    Result parse(CommandResult r) {
        if (!r.ok() || r.outputTruncated()) {
            throw new RemoteException(r.host(), "the facts script " + (r.ok() ? overCap(r)
                    : "exited " + r.exitCode()) + (r.stderrTail(3).isEmpty() ? "" : "; stderr: "
                    + String.join(" | ", r.stderrTail(3))));
        }
        String out = r.stdout();
        String begin = mark + " ";
        Map<String, CommandResult> sections = new LinkedHashMap<>();
        int pos = 0;
        int expected = 0;
        while (pos < out.length()) {
            int nameEnd = out.indexOf('\n', pos);
            if (!out.startsWith(begin, pos) || nameEnd < 0) {
                throw malformed(r, sections);
            }
            String name = out.substring(pos + begin.length(), nameEnd);
            while (expected < names.size() && !names.get(expected).equals(name)
                    && optional.contains(names.get(expected))) {
                expected++;
            }
            if (expected == names.size() || !names.get(expected).equals(name)) {
                throw malformed(r, sections);
            }
            expected++;
            int end = out.indexOf(begin, nameEnd + 1);
            int statusEnd = end < 0 ? -1 : out.indexOf('\n', end);
            String status = statusEnd < 0 ? "" : out.substring(end + begin.length(), statusEnd);
            if (!status.matches("\\d{1,3}")) {
                throw malformed(r, sections);
            }
            sections.put(name, new CommandResult(r.host(), name, Integer.parseInt(status),
                    out.substring(nameEnd + 1, end), ""));
            pos = statusEnd + 1;
        }
        for (String name : names) {
            if (!optional.contains(name) && !sections.containsKey(name)) {
                throw malformed(r, sections);
            }
        }
        return new Result(Map.copyOf(sections));
    }

    private static RemoteException malformed(CommandResult r, Map<String, CommandResult> sections) {
        String last = sections.isEmpty() ? "none" : new ArrayList<>(sections.keySet()).get(sections.size() - 1);
        return new RemoteException(r.host(), "the facts script's output is cut or malformed after " + sections.size()
                + " sections (last: " + last + ")");
    }

    static String catName(String path) {
        return "cat:" + path;
    }

    static String shaName(String path) {
        return "sha256:" + path;
    }

    static String existsName(String path) {
        return "exists:" + path;
    }

    static String grepName(String path) {
        return "grep:" + path;
    }

    /** What each query printed and its exit status, by section name. */
    record Result(Map<String, CommandResult> sections) {
        /** The section's outcome; empty when it did not run (a skipped group). */
        Optional<CommandResult> section(String name) {
            return Optional.ofNullable(sections.get(name));
        }

        /** The section's outcome; one that did not run counts as failed (exit 1, no output), as a missing file. */
        CommandResult get(String name) {
            return section(name).orElseGet(() -> new CommandResult("", name, 1, "", ""));
        }

        boolean ok(String name) {
            return get(name).ok();
        }

        Optional<byte[]> file(String path) {
            CommandResult c = get(catName(path));
            return c.ok() ? Optional.of(c.stdout().getBytes(StandardCharsets.UTF_8)) : Optional.empty();
        }

        Optional<String> sha256(String path) {
            CommandResult c = get(shaName(path));
            String hash = c.stdout().strip().split("\\s+")[0];
            return c.ok() && hash.matches("[0-9a-f]{64}") ? Optional.of(hash) : Optional.empty();
        }

        boolean exists(String path) {
            return ok(existsName(path));
        }

        /** The first line {@link #grep} selected. */
        Optional<String> grep(String path) {
            CommandResult c = get(grepName(path));
            return c.ok() ? c.stdout().lines().findFirst() : Optional.empty();
        }
    }
}
