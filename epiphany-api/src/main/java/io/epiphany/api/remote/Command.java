package io.epiphany.api.remote;

import io.epiphany.api.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A command to run on a host: a shell line built from quoted words, optional stdin, a timeout, whether it needs root,
 * and the secrets it carries (redacted wherever the command or its output is shown).
 *
 * <pre>{@code Command.of("kubeadm", "join", "--config", path).asRoot().timeout(Duration.ofMinutes(5))}</pre>
 */
public final class Command {
    /** The longest {@link #label}. */
    public static final int MAX_LABEL = 200;
    /** A line longer than this, sent on stdin and without a label, is logged as its beginning and its size. */
    static final int LOGGED_LINE = 120;

    private final String line;
    private final byte[] stdin;
    private final Duration timeout;
    private final boolean root;
    private final List<String> secrets;
    private final boolean changesState;
    private final boolean lineOnStdin;
    private final String label;

    private Command(String line, byte[] stdin, Duration timeout, boolean root, List<String> secrets,
            boolean changesState, boolean lineOnStdin, String label) {
        this.line = line;
        this.stdin = stdin;
        this.timeout = timeout;
        this.root = root;
        this.secrets = secrets;
        this.changesState = changesState;
        this.lineOnStdin = lineOnStdin;
        this.label = label;
    }

    /** A command from words; each word is shell-quoted. */
    public static Command of(String program, String... args) {
        List<String> words = new ArrayList<>();
        words.add(program);
        words.addAll(Arrays.asList(args));
        return of(words);
    }

    /** A command from words; each word is shell-quoted. */
    public static Command of(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program");
        }
        return new Command(words.stream().map(Shell::quote).collect(Collectors.joining(" ")), null, null, false,
                List.of(), true, false, null);
    }

    /**
     * A raw shell line, for pipelines and redirections. Every value in it must have gone through {@link Shell#quote}.
     */
    public static Command shell(String line) {
        return new Command(Objects.requireNonNull(line, "line"), null, null, false, List.of(), true, false, null);
    }

    /** Runs as root: directly when the login user is root, otherwise through {@code sudo}. */
    public Command asRoot() {
        return new Command(line, stdin, timeout, true, secrets, changesState, lineOnStdin, label);
    }

    public Command timeout(Duration timeout) {
        return new Command(line, stdin, timeout, root, secrets, changesState, lineOnStdin, label);
    }

    /** Bytes fed on stdin, then stdin is closed. */
    public Command stdin(byte[] input) {
        return new Command(line, input.clone(), timeout, root, secrets, changesState, lineOnStdin, label);
    }

    /** Marks values carried by this command (in its line, stdin or output) that must never be shown. */
    public Command secret(Secret... values) {
        List<String> all = new ArrayList<>(secrets);
        for (Secret s : values) {
            all.add(s.reveal());
        }
        return new Command(line, stdin, timeout, root, Collections.unmodifiableList(all), changesState, lineOnStdin,
                label);
    }

    /** True when {@link #secret} marked values this command carries (in its line, stdin or output). */
    public boolean hasSecrets() {
        return secrets.stream().anyMatch(s -> !s.isEmpty());
    }

    /** Marks the command as read-only (a fact query): counted apart from state-changing commands. */
    public Command readOnly() {
        return new Command(line, stdin, timeout, root, secrets, false, lineOnStdin, label);
    }

    /**
     * Sends the line as the first bytes of stdin behind a short exec request ({@code sh -c "$(head -c N)"}, as for a
     * line carrying a secret), ahead of the command's own stdin: for a long script, which then is neither an SSH exec
     * request nor in the server's logs.
     */
    public Command lineOnStdin() {
        return new Command(line, stdin, timeout, root, secrets, changesState, true, label);
    }

    /**
     * A short description shown in logs instead of the line (e.g. "facts script, 38 sections"), for a long script
     * whose text says nothing to a reader of the log. Redacted like the line; never put a secret in it anyway.
     *
     * @throws IllegalArgumentException when blank, longer than {@value #MAX_LABEL} characters or more than one line
     */
    public Command label(String text) {
        if (text == null || text.isBlank() || text.length() > MAX_LABEL || text.contains("\n")) {
            throw new IllegalArgumentException("a command label is one non-blank line of at most " + MAX_LABEL
                    + " characters");
        }
        return new Command(line, stdin, timeout, root, secrets, changesState, lineOnStdin, text);
    }

    /**
     * What logs show of this command, secrets redacted: the {@link #label} with the line's size when set; else for a
     * line sent on stdin ({@link #lineOnStdin}) longer than {@value #LOGGED_LINE} characters its first line (cut at
     * {@value #LOGGED_LINE}) and its size; else {@link #toString()}.
     */
    public String logText() {
        int bytes = line.getBytes(StandardCharsets.UTF_8).length;
        if (label != null) {
            return redact(label) + " (" + bytes + "-byte script)";
        }
        String shown = toString();
        if (!lineOnStdin || shown.length() <= LOGGED_LINE) {
            return shown;
        }
        String first = shown.lines().findFirst().orElse("");
        return first.substring(0, Math.min(first.length(), LOGGED_LINE)) + "... (" + bytes + "-byte script)";
    }

    /** Whether {@link #lineOnStdin} was asked for. */
    public boolean sendsLineOnStdin() {
        return lineOnStdin;
    }

    /** The shell line as it is sent. Contains secrets: never log it, use {@link #toString()}. */
    public String line() {
        return line;
    }

    public Optional<byte[]> stdin() {
        return Optional.ofNullable(stdin).map(byte[]::clone);
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public boolean root() {
        return root;
    }

    public boolean changesState() {
        return changesState;
    }

    /** Replaces every secret of this command in {@code text} by {@code ****}. */
    public String redact(String text) {
        String out = text;
        for (String s : secrets) {
            if (!s.isEmpty()) {
                out = out.replace(s, "****");
            }
        }
        return out;
    }

    /** The line with its secrets redacted: safe for logs, events and exception messages. */
    @Override
    public String toString() {
        return redact(line);
    }
}
