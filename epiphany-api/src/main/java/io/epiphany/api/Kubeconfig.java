package io.epiphany.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster's admin kubeconfig. It holds a client key: {@link #toString()} shows only the server, and
 * {@link #writeTo(Path)} creates the file with mode 0600.
 */
public final class Kubeconfig {
    private static final Pattern SERVER = Pattern.compile("(?m)^(\\s*server:\\s*)\"?([^\"\\s]+)\"?\\s*$");

    private final String yaml;

    public Kubeconfig(String yaml) {
        this.yaml = yaml;
    }

    /** The API server URL this kubeconfig points at (the first cluster entry). */
    public String server() {
        Matcher m = SERVER.matcher(yaml);
        return m.find() ? m.group(2) : "";
    }

    /**
     * The same kubeconfig pointing at another API server, e.g. {@code https://10.10.1.148:6443}: admin.conf points at
     * {@code https://localhost:3446}, which only works on the cluster's own machines. Every master's certificate
     * carries all master IPs.
     */
    public Kubeconfig withServer(String url) {
        if (!url.matches("https://[A-Za-z0-9.\\-\\[\\]:]+")) {
            throw new IllegalArgumentException("server must be https://host:port, got " + url);
        }
        return new Kubeconfig(SERVER.matcher(yaml).replaceAll("$1" + Matcher.quoteReplacement(url)));
    }

    /** The same kubeconfig pointing at a master's own API server ({@code https://<ip>:6443}). */
    public Kubeconfig withServerOf(Machine master) {
        String host = master.ip().contains(":") ? "[" + master.ip() + "]" : master.ip();
        return withServer("https://" + host + ":6443");
    }

    /** The kubeconfig YAML, including the client key: handle it like a password. */
    public String yaml() {
        return yaml;
    }

    /** Writes the kubeconfig to a file only the current user can read (0600 where POSIX permissions exist). */
    public Path writeTo(Path file) {
        try {
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.write(file, yaml.getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig to " + file, e);
        }
    }

    @Override
    public String toString() {
        return "Kubeconfig{server=" + server() + ", credentials=****}";
    }
}
