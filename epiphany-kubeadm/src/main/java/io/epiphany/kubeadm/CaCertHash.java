package io.epiphany.kubeadm;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The CA-certificate hash a joining machine pins the cluster CA with ({@code discovery.bootstrapToken.caCertHashes},
 * {@code --discovery-token-ca-cert-hash}): {@code sha256:} and the lower-case hex SHA-256 of the CA's
 * SubjectPublicKeyInfo in DER, exactly as kubeadm computes it. Works for RSA and ECDSA CAs alike.
 */
public final class CaCertHash {
    private CaCertHash() {}

    /**
     * The hash of the first certificate in {@code caCertPem} (the content of {@code /etc/kubernetes/pki/ca.crt}).
     *
     * @throws IllegalArgumentException when the bytes are not a PEM or DER X.509 certificate
     */
    public static String of(byte[] caCertPem) {
        X509Certificate cert;
        try {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(caCertPem));
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("the CA certificate (ca.crt, " + caCertPem.length + " bytes) is not an "
                    + "X.509 certificate in PEM or DER: " + e.getMessage() + "; pass the content of "
                    + "/etc/kubernetes/pki/ca.crt from the first master", e);
        }
        return of(cert);
    }

    /** The hash of {@code caCert}. */
    public static String of(X509Certificate caCert) {
        // getEncoded() of an X.509 public key is its SubjectPublicKeyInfo, DER-encoded: what kubeadm hashes.
        byte[] spki = caCert.getPublicKey().getEncoded();
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256, which every Java platform must provide", e);
        }
    }
}
