package io.epiphany.api.remote;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A file to put on a host: absolute path, content, mode, owner, and whether the content is secret (key material,
 * encryption config): secret content is never logged and never shown by {@link #toString()}.
 */
public final class RemoteFile {
    private final String path;
    private final byte[] content;
    private final int mode;
    private final String owner;
    private final boolean secret;

    private RemoteFile(String path, byte[] content, int mode, String owner, boolean secret) {
        if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("remote path must be absolute and normalised: " + path);
        }
        this.path = path;
        this.content = content;
        this.mode = mode;
        this.owner = owner;
        this.secret = secret;
    }

    public static RemoteFile of(String path, String content, int mode) {
        return new RemoteFile(path, content.getBytes(StandardCharsets.UTF_8), mode, "root", false);
    }

    public static RemoteFile of(String path, byte[] content, int mode) {
        return new RemoteFile(path, content.clone(), mode, "root", false);
    }

    public RemoteFile owner(String owner) {
        return new RemoteFile(path, content, mode, Objects.requireNonNull(owner), secret);
    }

    public RemoteFile secret() {
        return new RemoteFile(path, content, mode, owner, true);
    }

    public String path() {
        return path;
    }

    public byte[] content() {
        return content.clone();
    }

    /** Unix permission bits, e.g. {@code 0600}. */
    public int mode() {
        return mode;
    }

    public String owner() {
        return owner;
    }

    public boolean isSecret() {
        return secret;
    }

    @Override
    public String toString() {
        return path + " (" + String.format("%04o", mode) + ", " + content.length + " bytes" + (secret ? ", secret" : "")
                + ")";
    }
}
