package io.epiphany.testkit.sim.kube;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SIMULATED shortcut for fresh RSA keys: every key this JVM hands out has its own modulus, but the primes come from a
 * small pool per size, each new key the next unused pair of pooled primes ({@code k} primes give {@code k(k-1)/2}
 * keys). Finding two random primes was most of the cost of an RSA-2048 key, and RSA key generation the largest share
 * of the CPU of the in-process fleet tests (JFR of SecretsOffCommandLinesTest: 29 % of the samples, most of them the
 * fresh CA and service-account keys of each {@code kubeadm init}). Two keys that share a prime are weak against each
 * other (a gcd of the moduli factors both), which matters to no simulated cluster: each key is still a valid RSA key
 * of the size asked for, distinct from every other key in the JVM, so CAs of different clusters still differ.
 */
final class RsaKeys {
    private static final BigInteger E = BigInteger.valueOf(65537);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<Integer, Pool> POOLS = new HashMap<>();

    private RsaKeys() {}

    /** A new RSA key of {@code bits} bits (even, at least 1024), with public exponent 65537. */
    static KeyPair fresh(int bits) throws GeneralSecurityException {
        if (bits < 1024 || bits % 2 != 0) {
            throw new GeneralSecurityException("RSA key size must be even and at least 1024, was " + bits);
        }
        BigInteger[] pq;
        synchronized (POOLS) {
            pq = POOLS.computeIfAbsent(bits, b -> new Pool(b / 2)).nextPair();
        }
        return keyPair(pq[0], pq[1]);
    }

    /** The key of modulus {@code p*q}, with the CRT parameters the JDK's own keys carry. */
    static KeyPair keyPair(BigInteger p, BigInteger q) throws GeneralSecurityException {
        if (p.compareTo(q) < 0) {
            BigInteger t = p;
            p = q;
            q = t;
        }
        BigInteger n = p.multiply(q);
        BigInteger p1 = p.subtract(BigInteger.ONE);
        BigInteger q1 = q.subtract(BigInteger.ONE);
        BigInteger lcm = p1.divide(p1.gcd(q1)).multiply(q1);
        BigInteger d = E.modInverse(lcm);
        KeyFactory f = KeyFactory.getInstance("RSA");
        return new KeyPair(f.generatePublic(new RSAPublicKeySpec(n, E)), f.generatePrivate(new RSAPrivateCrtKeySpec(n,
                E, d, p, q, d.mod(p1), d.mod(q1), q.modInverse(p))));
    }

    /** Primes of one size, and the next pair (i, j), i < j, enumerated as (0,1), (0,2), (1,2), (0,3), ... */
    private static final class Pool {
        private final int primeBits;
        private final List<BigInteger> primes = new ArrayList<>();
        private int i;
        private int j = 1;

        Pool(int primeBits) {
            this.primeBits = primeBits;
        }

        BigInteger[] nextPair() {
            while (primes.size() <= j) {
                primes.add(prime());
            }
            BigInteger[] pair = {primes.get(i), primes.get(j)};
            if (++i == j) {
                i = 0;
                j++;
            }
            return pair;
        }

        /** Its two top bits set, so that the product of any two has exactly twice the bits; p - 1 coprime to e. */
        private BigInteger prime() {
            while (true) {
                // the first probable prime from a random start with both top bits set (none of them rejected)
                BigInteger p = new BigInteger(primeBits, RANDOM).setBit(primeBits - 1).setBit(primeBits - 2)
                        .nextProbablePrime();
                if (p.bitLength() == primeBits && p.subtract(BigInteger.ONE).gcd(E).equals(BigInteger.ONE)) {
                    return p;
                }
            }
        }
    }
}
