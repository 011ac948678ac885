package io.epiphany.api.remote;

import java.util.regex.Pattern;

/** POSIX shell quoting: the one place where values become part of a remote command line. */
public final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /** {@code value} as one shell word: unchanged when it is plainly safe, single-quoted otherwise. */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL character cannot be passed in a command line");
        }
        if (!value.isEmpty() && SAFE.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}
