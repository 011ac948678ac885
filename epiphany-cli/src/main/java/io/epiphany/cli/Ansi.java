package io.epiphany.cli;

/** ANSI colours when they are allowed ({@link Terminal#colour()}), the plain text otherwise. */
final class Ansi {
    /** Erases the cursor's row (not a colour: written on any terminal, even with NO_COLOR). */
    static final String CLEAR_LINE = "\u001b[2K";

    private final boolean enabled;

    Ansi(boolean enabled) {
        this.enabled = enabled;
    }

    String bold(String s) {
        return wrap("1", s);
    }

    String green(String s) {
        return wrap("32", s);
    }

    String red(String s) {
        return wrap("31", s);
    }

    String cyan(String s) {
        return wrap("36", s);
    }

    private String wrap(String code, String s) {
        return enabled && !s.isEmpty() ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
