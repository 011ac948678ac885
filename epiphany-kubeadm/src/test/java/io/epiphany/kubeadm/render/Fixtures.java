package io.epiphany.kubeadm.render;

import io.epiphany.api.Cluster;
import io.epiphany.api.Encryption;
import io.epiphany.api.Machine;
import io.epiphany.api.Secret;
import io.epiphany.kubeadm.CaCertHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The clusters the renderer tests use, with deterministic secrets. */
final class Fixtures {
    /** The seed's example as shipped with the examples (the README's main job renders it). */
    static final Path SEED_YAML = Path.of("../examples/clusters/seed-cluster.yml");
    /** Fixed, test-only secrets, so golden files do not change from run to run. */
    static final Secret TOKEN = Secret.of("abcdef.0123456789abcdef");
    static final Secret KEY = Secret.of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    private Fixtures() {}

    /** The seed's 3 masters and 2 nodes, read from the Epiphany YAML, with a fixed encryption key. */
    static Cluster seed() {
        return Cluster.fromYaml(SEED_YAML).toBuilder().encryption(Encryption.builder().key(KEY).build()).build();
    }

    /** The seed with its first master only. */
    static Cluster singleMaster() {
        Cluster seed = seed();
        return seed.toBuilder().masters(seed.masters().get(0)).build();
    }

    static Machine machine(Cluster cluster, String hostname) {
        return cluster.machine(hostname).orElseThrow();
    }

    /** The cluster's own context with the fixed token: what {@code cluster.render()} gives, made repeatable. */
    static RenderContext context(Cluster cluster) {
        return RenderContext.of(cluster).withBootstrapToken(TOKEN);
    }

    /** The discovery hash of kubeadm's own test certificate. */
    static String caHash() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/ca-hash/kubeadm-pubkeypin-test.crt")) {
            return CaCertHash.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
