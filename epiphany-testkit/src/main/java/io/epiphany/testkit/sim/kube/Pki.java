package io.epiphany.testkit.sim.kube;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Real x509 certificates for the SIMULATED kubeadm, made with Bouncy Castle: CAs (10 years) and leaf certificates
 * (1 year) the way kubeadm makes them, in PEM, with the key algorithm of {@code encryptionAlgorithm}.
 */
public final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate with its key. */
    public record Issued(X509Certificate certificate, KeyPair key) {}

    private Pki() {}

    /**
     * A key pair for kubeadm's {@code encryptionAlgorithm} (RSA-2048 by default, ECDSA-P256, ...): never the same
     * key twice in this JVM.
     */
    public static KeyPair newKey(String encryptionAlgorithm) {
        try {
            String algorithm = encryptionAlgorithm == null ? "RSA-2048" : encryptionAlgorithm;
            if (algorithm.startsWith("ECDSA")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec(algorithm.endsWith("384") ? "secp384r1" : "secp256r1"));
                return g.generateKeyPair();
            }
            if (!algorithm.startsWith("RSA-")) {
                throw new IllegalArgumentException("not RSA-<bits> nor ECDSA-P256/P384");
            }
            // SIMULATED: fresh keys from pooled primes (see RsaKeys), not a prime search per key
            return RsaKeys.fresh(Integer.parseInt(algorithm.substring("RSA-".length())));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("unsupported encryptionAlgorithm " + encryptionAlgorithm, e);
        }
    }

    /**
     * SIMULATED shortcut: a leaf certificate's key comes from a small pool per algorithm and JVM (the first
     * {@link #LEAF_KEY_POOL} are generated, later ones reused). Generating RSA-2048 keys was 58 % of the CPU of the
     * in-process fleet tests (JFR of CreateClusterTest, stop 10), and nothing checks that two leaves' keys differ: each
     * certificate still has its own subject, names and signature. CA and service-account keys stay fresh, as they
     * identify a cluster (the CA pin of a join, a backup's CA).
     */
    static final int LEAF_KEY_POOL = 8;
    private static final Map<String, List<KeyPair>> LEAF_KEYS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_LEAF_KEY = new AtomicInteger();

    private static KeyPair leafKey(String algorithm) {
        List<KeyPair> pool = LEAF_KEYS.computeIfAbsent(algorithm == null ? "RSA-2048" : algorithm,
                a -> new CopyOnWriteArrayList<>());
        if (pool.size() < LEAF_KEY_POOL) {
            KeyPair key = newKey(algorithm);
            pool.add(key);
            return key;
        }
        return pool.get(Math.floorMod(NEXT_LEAF_KEY.getAndIncrement(), pool.size()));
    }

    public static Issued ca(String commonName, String algorithm, Instant now) {
        KeyPair key = newKey(algorithm);
        X500Name name = name(commonName, List.of());
        return new Issued(sign(name, key, name, key.getPrivate(), now, Duration.ofDays(3650), true, List.of(),
                List.of(), List.of()), key);
    }

    /**
     * A leaf certificate.
     *
     * @param usages "server" and/or "client"
     */
    public static Issued leaf(String commonName, List<String> organisations, Issued signer, List<String> dnsNames,
            List<String> ips, List<String> usages, String algorithm, Instant now) {
        KeyPair key = leafKey(algorithm);
        X500Name issuer = X500Name.getInstance(signer.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(sign(name(commonName, organisations), key, issuer, signer.key().getPrivate(), now,
                Duration.ofDays(365), false, dnsNames, ips, usages), key);
    }

    /** kubeadm's CA pin: {@code sha256:} and the hex SHA-256 of the certificate's SubjectPublicKeyInfo. */
    public static String caCertHash(X509Certificate ca) {
        try {
            return "sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM of a certificate, a public key, or a private key (PKCS#8, so that EC keys keep their curve). */
    public static String pem(Object object) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            if (object instanceof PrivateKey key) {
                w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } else {
                w.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    public static X509Certificate readCertificate(String pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (!(o instanceof org.bouncycastle.cert.X509CertificateHolder h)) {
                throw new IOException("not a PEM certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public static KeyPair readKeyPair(String pem, X509Certificate certificate) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter c = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                // an "EC PRIVATE KEY" may carry no public key: the certificate has it
                return new KeyPair(certificate.getPublicKey(), c.getPrivateKey(kp.getPrivateKeyInfo()));
            }
            if (o instanceof PrivateKeyInfo info) {
                PrivateKey key = c.getPrivateKey(info);
                return new KeyPair(certificate.getPublicKey(), key);
            }
            throw new IOException("not a PEM private key");
        }
    }

    private static X500Name name(String commonName, List<String> organisations) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (String o : organisations) {
            b.addRDN(BCStyle.O, o);
        }
        b.addRDN(BCStyle.CN, commonName);
        return b.build();
    }

    private static X509Certificate sign(X500Name subject, KeyPair key, X500Name issuer, PrivateKey issuerKey,
            Instant now, Duration validity, boolean ca, List<String> dnsNames, List<String> ips,
            List<String> usages) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, RANDOM),
                    Date.from(now.minusSeconds(300)), Date.from(now.plus(validity)), subject, key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                    ? KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            List<KeyPurposeId> purposes = new ArrayList<>();
            if (usages.contains("server")) {
                purposes.add(KeyPurposeId.id_kp_serverAuth);
            }
            if (usages.contains("client")) {
                purposes.add(KeyPurposeId.id_kp_clientAuth);
            }
            if (!purposes.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            List<GeneralName> sans = new ArrayList<>();
            dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
            ips.forEach(i -> sans.add(new GeneralName(GeneralName.iPAddress, i)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            String signature = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(signature).build(issuerKey)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("SIMULATED PKI could not sign " + subject, e);
        }
    }
}
