package io.epiphany.ssh;

/** What one exec channel produced, raw: exit status ({@code null} when none arrived), signal, output bytes. */
record ExecOutcome(Integer exitStatus, String exitSignal, byte[] stdout, byte[] stderr, boolean truncated) {}
