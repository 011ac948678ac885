package io.epiphany.ssh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds a secret in text however a logger may have printed it: as text, or as hex (MINA's packet dumps print 16
 * bytes a line, hex with or without spaces, plus an ASCII column). Every 8-byte window of the secret is looked for,
 * so a secret split across dump lines is still found.
 */
final class SecretScan {
    private static final int WINDOW = 8;
    private final List<byte[]> secrets = new ArrayList<>();

    SecretScan add(byte[] secret) {
        if (secret.length < WINDOW * 3) {
            throw new IllegalArgumentException("a scanned secret needs at least " + WINDOW * 3 + " bytes");
        }
        secrets.add(secret.clone());
        return this;
    }

    SecretScan add(String secret) {
        return add(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Every line of {@code text} that holds a window of a secret. */
    List<String> hits(String text) {
        Set<String> needles = new LinkedHashSet<>();
        for (byte[] s : secrets) {
            for (int off = 0; off + WINDOW <= s.length; off++) {
                byte[] w = java.util.Arrays.copyOfRange(s, off, off + WINDOW);
                String hex = HexFormat.of().formatHex(w);
                needles.add(hex);
                needles.add(HexFormat.ofDelimiter(" ").formatHex(w));
                needles.add(HexFormat.ofDelimiter(":").formatHex(w));
                String ascii = new String(w, StandardCharsets.ISO_8859_1);
                if (ascii.chars().allMatch(c -> c > 32 && c < 127)) {
                    needles.add(ascii.toLowerCase(Locale.ROOT));
                }
            }
        }
        List<String> hits = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            for (String n : needles) {
                if (l.contains(n)) {
                    hits.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                    break;
                }
            }
        }
        return hits;
    }
}
