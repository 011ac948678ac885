package io.epiphany.api;

import java.util.Objects;

/** A file the SDK puts on a host: absolute path, content, mode, and whether the content is secret. */
public final class HostFile {
    private final String path;
    private final String content;
    private final int mode;
    private final boolean secret;

    private HostFile(String path, String content, int mode, boolean secret) {
        this.path = Objects.requireNonNull(path);
        this.content = Objects.requireNonNull(content);
        this.mode = mode;
        this.secret = secret;
    }

    public static HostFile of(String path, String content, int mode) {
        return new HostFile(path, content, mode, false);
    }

    /** A file whose content must never be logged or shown (keys, tokens). */
    public static HostFile secret(String path, String content, int mode) {
        return new HostFile(path, content, mode, true);
    }

    public String path() {
        return path;
    }

    /** The content. For a {@linkplain #isSecret() secret} file, handle it like a password. */
    public String content() {
        return content;
    }

    /** Unix permission bits, e.g. {@code 0600}. */
    public int mode() {
        return mode;
    }

    public boolean isSecret() {
        return secret;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostFile && path.equals(((HostFile) o).path) && content.equals(((HostFile) o).content)
                && mode == ((HostFile) o).mode && secret == ((HostFile) o).secret;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, mode);
    }

    @Override
    public String toString() {
        return path + " (" + String.format("%04o", mode) + (secret ? ", secret" : "") + ")";
    }
}
