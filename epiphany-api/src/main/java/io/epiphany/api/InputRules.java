package io.epiphany.api;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax rules for the values a description carries to hosts: paths, the CRI socket, Kubernetes label and taint keys
 * and values. Each check returns what is wrong (empty when the value is fine), so the validator can report it under
 * its own field.
 */
final class InputRules {
    /** A DNS-1123 label as Kubernetes checks label-key prefixes (lower case, 1-63 characters). */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** A label name or value: alphanumeric at both ends, '-', '_', '.' inside, at most 63 characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final int MAX_PREFIX = 253;
    private static final String UNIX_SCHEME = "unix://";

    private InputRules() {}

    /** A path on a host: absolute, normalised, no control characters, not the root directory itself. */
    static Optional<String> hostPath(String path) {
        Optional<String> control = controlCharacters(path);
        if (control.isPresent()) {
            return control;
        }
        if (!path.startsWith("/")) {
            return Optional.of("must be an absolute path (starting with '/')");
        }
        if (path.equals("/")) {
            return Optional.of("must name a file or directory below '/', not the root directory");
        }
        if (path.contains("//") || path.endsWith("/")) {
            return Optional.of("must be normalised: no '//' and no trailing '/'");
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("must be normalised: no '.' or '..' segments (write the path they lead to)");
            }
        }
        return Optional.empty();
    }

    /** A path on the machine running the SDK: absolute and normalised, no control characters. */
    static Optional<String> localPath(Path path) {
        Optional<String> control = controlCharacters(path.toString());
        if (control.isPresent()) {
            return control;
        }
        if (!path.isAbsolute()) {
            return Optional.of("must be an absolute path: a relative one would depend on the directory the SDK "
                    + "runs in");
        }
        if (!path.normalize().equals(path)) {
            return Optional.of("must be normalised: no '.' or '..' segments (write " + path.normalize() + ")");
        }
        return Optional.empty();
    }

    /** {@code unix:///<absolute path>}, as kubelet and kubeadm accept for a local CRI endpoint. */
    static Optional<String> criSocket(String socket) {
        if (!socket.startsWith(UNIX_SCHEME + "/")) {
            return Optional.of("must be a unix socket URL such as unix:///run/containerd/containerd.sock");
        }
        return hostPath(socket.substring(UNIX_SCHEME.length()))
                .map(problem -> "the socket path after unix:// " + problem);
    }

    /**
     * A label key or taint key: {@code [prefix/]name}, the prefix a DNS subdomain of at most 253 characters, the name
     * at most 63 characters (Kubernetes' qualified-name rule, {@code IsQualifiedName}).
     */
    static Optional<String> qualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > MAX_PREFIX) {
                return Optional.of("the prefix before '/' must be a DNS subdomain of 1 to 253 characters");
            }
            for (String label : prefix.split("\\.", -1)) {
                if (!DNS_LABEL.matcher(label).matches()) {
                    return Optional.of("the prefix before '/' must be a lowercase DNS subdomain (a-z, 0-9, '-', "
                            + "dot-separated parts of at most 63 characters)");
                }
            }
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("the name must be 1 to 63 characters of a-z, A-Z, 0-9, '-', '_', '.', starting and "
                    + "ending with a letter or digit ([prefix/]name)");
        }
        return Optional.empty();
    }

    /** A label value (or taint value): empty, or a name of at most 63 characters. */
    static boolean labelValue(String value) {
        return value.isEmpty() || NAME.matcher(value).matches();
    }

    /** NUL, CR, LF and every other control character are refused: they end or rewrite lines in files and logs. */
    static Optional<String> controlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isISOControl(ch)) {
                return Optional.of(String.format("contains the control character U+%04X at position %d; remove it",
                        (int) ch, i));
            }
        }
        return Optional.empty();
    }
}
