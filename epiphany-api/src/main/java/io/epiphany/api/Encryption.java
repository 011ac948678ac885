package io.epiphany.api;

import java.util.Optional;
import org.immutables.value.Value;

/**
 * Encryption at rest of Secrets in etcd. On by default with {@code secretbox} (rated strong by Kubernetes);
 * {@code aescbc} is accepted but reported as weak. The key is generated with {@link java.security.SecureRandom}
 * unless given; on a running cluster the SDK keeps the key the cluster already uses.
 */
@Value.Immutable
@SdkStyle
public abstract class Encryption {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Encryption() {}

    /** EncryptionConfiguration providers the SDK can write. */
    public enum Provider {
        SECRETBOX("secretbox"), AESCBC("aescbc");

        private final String yamlName;

        Provider(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The provider's key in an EncryptionConfiguration. */
        public String yamlName() {
            return yamlName;
        }
    }

    @Value.Default
    public boolean enabled() {
        return true;
    }

    @Value.Default
    public Provider provider() {
        return Provider.SECRETBOX;
    }

    /** A 32-byte key, base64-encoded; generated when empty. */
    @Value.Redacted
    public abstract Optional<Secret> key();

    @Value.Default
    public String configFile() {
        return "/etc/kubernetes/enc/encryption-config.yaml";
    }

    public static Encryption defaults() {
        return builder().build();
    }

    public static Encryption disabled() {
        return builder().enabled(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link Encryption}. */
    public static class Builder extends ImmutableEncryption.Builder {}
}
