package io.epiphany.testkit.sim.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SIMULATED fresh RSA keys from pooled primes: valid keys of the size asked for, never the same one twice. */
class RsaKeysTest {
    @Test
    void everyKeyIsANewValidKeyOfTheSizeAskedFor() throws Exception {
        Set<BigInteger> moduli = new HashSet<>();
        for (int k = 0; k < 6; k++) {
            KeyPair key = Pki.newKey("RSA-2048");
            RSAPublicKey pub = (RSAPublicKey) key.getPublic();
            assertThat(pub.getModulus().bitLength()).isEqualTo(2048);
            assertThat(pub.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
            assertThat(moduli.add(pub.getModulus())).as("key %d is new", k).isTrue();
            RSAPrivateCrtKey priv = (RSAPrivateCrtKey) key.getPrivate();
            assertThat(priv.getPrimeP().multiply(priv.getPrimeQ())).isEqualTo(pub.getModulus());

            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key.getPrivate());
            byte[] data = ("certificate " + k).getBytes(StandardCharsets.UTF_8);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key.getPublic());
            verifier.update(data);
            assertThat(verifier.verify(signature)).isTrue();
        }
        assertThat(((RSAPublicKey) Pki.newKey("RSA-3072").getPublic()).getModulus().bitLength()).isEqualTo(3072);
    }

    @Test
    void anUnknownAlgorithmIsRefused() {
        assertThatThrownBy(() -> Pki.newKey("RSA-1000x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA-1000x");
        assertThatThrownBy(() -> Pki.newKey("DSA-2048")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DSA-2048");
    }
}
