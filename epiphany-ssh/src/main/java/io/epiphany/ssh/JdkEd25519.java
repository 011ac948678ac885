package io.epiphany.ssh;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.KeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Optional;
import org.apache.sshd.common.config.keys.PrivateKeyEntryDecoder;
import org.apache.sshd.common.config.keys.PublicKeyEntryDecoder;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.security.AbstractSecurityProviderRegistrar;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSASupport;
import org.apache.sshd.common.util.security.eddsa.generic.EdDSAUtils;
import org.apache.sshd.common.util.security.eddsa.generic.GenericEd25519PublicKeyDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericOpenSSHEd25519PrivateKeyEntryDecoder;
import org.apache.sshd.common.util.security.eddsa.generic.GenericSignatureEd25519;

/**
 * ssh-ed25519 on the JDK's own EdDSA (SunEC, JEP 339, Java 15 and later) for MINA SSHD 2.x, whose registrars offer
 * ed25519 only through Bouncy Castle or net.i2p. Registering Bouncy Castle as a JCE provider (MINA's default) cost
 * about 0.5 CPU-s at every start: a signed jar of some 800 classes, verified class by class, that a class-data sharing
 * archive cannot hold (BENCHMARKS.md, "Start-up"). With this one installed the JDK does ed25519 host keys, user keys
 * and signatures, and the rest of MINA's cryptography was the JDK's already. {@link KeyPairs} still reaches Bouncy
 * Castle, at first use, for the key files only it reads (an encrypted PKCS#8 PEM).
 */
final class JdkEd25519 implements EdDSASupport<EdECPublicKey, EdECPrivateKey> {
    /** MINA's name for Bouncy Castle's registrar ({@code SecurityUtils.BOUNCY_CASTLE}). */
    static final String BOUNCY_CASTLE = SecurityUtils.BOUNCY_CASTLE;
    private static final String ALGORITHM = "Ed25519";
    private static volatile boolean installed;
    private static volatile boolean bouncyCastleRequested;

    /**
     * Installs the JDK's ed25519 and leaves Bouncy Castle unregistered, unless MINA's providers are set up already
     * (by the application, or an earlier MINA call in this JVM: then everything stays as it is) or the application
     * chose them with MINA's own system properties ({@code org.apache.sshd.security.registrars},
     * {@code org.apache.sshd.security.provider.BC.enabled}, {@code org.apache.sshd.registerBouncyCastle}).
     *
     * @return whether this call or an earlier one installed it
     */
    static synchronized boolean install() {
        if (installed) {
            return true;
        }
        if (SecurityUtils.isRegistrationCompleted() || SecurityUtils.isFipsMode() || chosenByApplication()
                || !Registrar.jdkHasEd25519()) {
            return false;
        }
        SecurityUtils.registerSecurityProvider(new Registrar());
        SecurityUtils.setAPrioriDisabledProvider(BOUNCY_CASTLE, true);
        installed = true;
        return true;
    }

    /**
     * Registers Bouncy Castle with MINA now (for a key file only it reads), if it is not already.
     *
     * @return whether it is registered, false where the jar is missing or FIPS mode refuses it
     */
    static synchronized boolean registerBouncyCastle() {
        bouncyCastleRequested = true;
        if (SecurityUtils.isBouncyCastleRegistered()) {
            return true;
        }
        SecurityUtils.setAPrioriDisabledProvider(BOUNCY_CASTLE, false);
        try {
            SecurityUtils.registerSecurityProvider(
                    new org.apache.sshd.common.util.security.bouncycastle.BouncyCastleSecurityProviderRegistrar());
        } catch (RuntimeException | LinkageError e) {
            return false; // no Bouncy Castle on the class path: the key stays unreadable, as MINA says
        }
        return SecurityUtils.isBouncyCastleRegistered();
    }

    /** Whether a key file asked for Bouncy Castle in this JVM ({@link #registerBouncyCastle()}). */
    static boolean bouncyCastleRequested() {
        return bouncyCastleRequested;
    }

    private static boolean chosenByApplication() {
        return System.getProperty(SecurityUtils.SECURITY_PROVIDER_REGISTRARS) != null
                || System.getProperty(SecurityUtils.REGISTER_BOUNCY_CASTLE_PROP) != null
                || System.getProperty("org.apache.sshd.security.provider." + BOUNCY_CASTLE + ".enabled") != null;
    }

    /** Claims no JCE entity (the JDK's default lookup finds SunEC's); only answers MINA's question for ed25519. */
    static final class Registrar extends AbstractSecurityProviderRegistrar {
        Registrar() {
            super("JdkEd25519");
        }

        static boolean jdkHasEd25519() {
            Provider p = Security.getProvider("SunEC");
            return p != null && p.getService("KeyFactory", ALGORITHM) != null
                    && p.getService("Signature", ALGORITHM) != null;
        }

        @Override
        public boolean isSupported() {
            return jdkHasEd25519();
        }

        @Override
        public Provider getSecurityProvider() {
            return Security.getProvider("SunEC");
        }

        @Override
        public String getDefaultSecurityEntitySupportValue(Class<?> entityType) {
            return "";
        }

        @Override
        public boolean isSecurityEntitySupported(Class<?> entityType, String name) {
            return false;
        }

        @Override
        public boolean isNamedProviderUsed() {
            return false;
        }

        @Override
        public Optional<EdDSASupport<?, ?>> getEdDSASupport() {
            return Optional.of(new JdkEd25519());
        }
    }

    @Override
    public PublicKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getEDDSAPublicKeyEntryDecoder() {
        return new GenericEd25519PublicKeyDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this) {
            @Override
            public KeyPair generateKeyPair(int keySize) throws GeneralSecurityException {
                // MINA asks for 256 bits; the JDK's generator knows the curve and refuses any size but its 255
                return getKeyPairGenerator().generateKeyPair();
            }
        };
    }

    @Override
    public PrivateKeyEntryDecoder<EdECPublicKey, EdECPrivateKey> getOpenSSHEDDSAPrivateKeyEntryDecoder() {
        return new GenericOpenSSHEd25519PrivateKeyEntryDecoder<>(EdECPublicKey.class, EdECPrivateKey.class, this);
    }

    @Override
    public Signature getEDDSASigner() {
        return new GenericSignatureEd25519(ALGORITHM);
    }

    @Override
    public int getEDDSAKeySize(Key key) {
        return isEd25519(key) ? KEY_SIZE : -1;
    }

    private static boolean isEd25519(Key key) {
        return key instanceof EdECKey k && ALGORITHM.equalsIgnoreCase(k.getParams().getName());
    }

    @Override
    public Class<EdECPublicKey> getEDDSAPublicKeyType() {
        return EdECPublicKey.class;
    }

    @Override
    public Class<EdECPrivateKey> getEDDSAPrivateKeyType() {
        return EdECPrivateKey.class;
    }

    @Override
    public boolean compareEDDSAPPublicKeys(PublicKey k1, PublicKey k2) {
        return isEd25519(k1) && isEd25519(k2) && Arrays.equals(k1.getEncoded(), k2.getEncoded());
    }

    @Override
    public boolean compareEDDSAPrivateKeys(PrivateKey k1, PrivateKey k2) {
        if (!isEd25519(k1) || !isEd25519(k2)) {
            return false;
        }
        byte[] a = k1.getEncoded();
        byte[] b = k2.getEncoded();
        try {
            return java.security.MessageDigest.isEqual(a, b);
        } finally {
            Arrays.fill(a, (byte) 0);
            Arrays.fill(b, (byte) 0);
        }
    }

    /**
     * The JDK has no call that derives an EdDSA public key from a private one; its key generator does derive one
     * from the 32 random bytes it draws, so it is handed a source that yields the private key's seed (RFC 8032 5.1.5).
     */
    @Override
    public EdECPublicKey recoverEDDSAPublicKey(PrivateKey key) throws GeneralSecurityException {
        if (!(key instanceof EdECPrivateKey k) || !isEd25519(key)) {
            throw new InvalidKeyException("not an Ed25519 private key");
        }
        byte[] seed = k.getBytes().orElseThrow(() -> new InvalidKeyException("the Ed25519 key has no seed"));
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new SeedSource(seed));
            return (EdECPublicKey) g.generateKeyPair().getPublic();
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Yields one given seed, once: anything else asked of it is a misuse and fails. */
    private static final class SeedSource extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private transient byte[] seed;

        SeedSource(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            if (seed == null || bytes.length != seed.length) {
                throw new IllegalStateException("the seed source yields one " + (seed == null ? 0 : seed.length)
                        + "-byte seed only");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
            Arrays.fill(seed, (byte) 0);
            seed = null;
        }
    }

    @Override
    public EdECPublicKey generateEDDSAPublicKey(byte[] raw) throws GeneralSecurityException {
        return (EdECPublicKey) KeyFactory.getInstance(ALGORITHM).generatePublic(EdDSAUtils.createPublicKeySpec(raw));
    }

    @Override
    public EdECPrivateKey generateEDDSAPrivateKey(byte[] seed) throws GeneralSecurityException, IOException {
        return (EdECPrivateKey) KeyFactory.getInstance(ALGORITHM)
                .generatePrivate(EdDSAUtils.createPrivateKeySpec(seed));
    }

    @Override
    public <B extends Buffer> B putRawEDDSAPublicKey(B buffer, PublicKey key) {
        buffer.putBytes(getPublicKeyData(cast(key)));
        return buffer;
    }

    /** Writing private keys in MINA's own format: the SDK never writes one. */
    @Override
    public <B extends Buffer> B putEDDSAKeyPair(B buffer, PublicKey publicKey, PrivateKey privateKey) {
        throw new UnsupportedOperationException("writing ed25519 key pairs to a buffer");
    }

    @Override
    public KeySpec createPublicKeySpec(EdECPublicKey publicKey) {
        return new X509EncodedKeySpec(publicKey.getEncoded());
    }

    @Override
    public KeySpec createPrivateKeySpec(EdECPrivateKey privateKey) {
        return new PKCS8EncodedKeySpec(privateKey.getEncoded());
    }

    @Override
    public byte[] getPublicKeyData(EdECPublicKey publicKey) {
        try {
            return publicKey == null ? null : EdDSAUtils.getBytes(publicKey);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] getPrivateKeyData(EdECPrivateKey privateKey) throws IOException {
        return privateKey.getBytes().orElseThrow(() -> new IOException("the Ed25519 key has no seed"));
    }

    @Override
    public String getKeyFactoryAlgorithm() {
        return ALGORITHM;
    }

    private static EdECPublicKey cast(PublicKey key) {
        if (!(key instanceof EdECPublicKey k) || !isEd25519(key)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + (key == null ? null : key.getAlgorithm()));
        }
        return k;
    }
}
