package io.epiphany.api;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A secret value (bootstrap token, encryption key, password). Its {@code toString()} never shows the value: call
 * {@link #reveal()} only at the point where the value leaves the process (a file written to a host, stdin).
 */
public final class Secret {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Wraps a secret the caller already has. */
    public static Secret of(String value) {
        return new Secret(value);
    }

    /** A kubeadm bootstrap token {@code [a-z0-9]{6}.[a-z0-9]{16}} from {@link SecureRandom}. */
    public static Secret bootstrapToken() {
        return new Secret(randomToken(6) + "." + randomToken(16));
    }

    /** {@code bytes} random bytes from {@link SecureRandom}, base64-encoded (an encryption-at-rest key: 32). */
    public static Secret randomBase64(int bytes) {
        byte[] key = new byte[bytes];
        RANDOM.nextBytes(key);
        return new Secret(Base64.getEncoder().encodeToString(key));
    }

    private static String randomToken(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(TOKEN_ALPHABET.charAt(RANDOM.nextInt(TOKEN_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The secret itself. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret
                && MessageDigest.isEqual(value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        ((Secret) o).value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // deliberately constant: a hash would leak information about the value
    }

    @Override
    public String toString() {
        return "****";
    }
}
