package io.epiphany.kubeadm.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.ApplyException;
import io.epiphany.api.ApplyOptions;
import io.epiphany.api.Backup;
import io.epiphany.api.Cluster;
import io.epiphany.api.Encryption;
import io.epiphany.api.Machine;
import io.epiphany.api.RestoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What a restore refuses from the archive and the description alone: these machines do not exist, so any attempt to
 * reach one would fail with a connection error instead of the refusal.
 */
@Execution(ExecutionMode.CONCURRENT)
class RestoreRefusalTest {
    private static final Cluster CLUSTER = Cluster.builder().name("k8s1")
            .masters(Machine.of("nowhere1", "192.0.2.1")).build();

    @TempDir
    Path dir;

    @Test
    void anotherClustersBackupIsRefusedNamingBoth() {
        Backup b = backup("other", CLUSTER.kubernetesVersion(), true, true);
        assertThatThrownBy(() -> restore(CLUSTER, b)).isInstanceOf(ApplyException.class)
                .hasMessageContaining("is of cluster 'other' and this description is 'k8s1'");
    }

    @Test
    void anotherVersionsBackupIsRefusedWithTheWayOut() {
        Backup b = backup("k8s1", "1.36.2", true, true);
        assertThatThrownBy(() -> restore(CLUSTER, b)).hasMessageContaining("the backup is of Kubernetes 1.36.2")
                .hasMessageContaining("restore with kubernetesVersion 1.36.2, then upgrade");
    }

    @Test
    void aBackupWithoutTheSharedPkiIsRefused() {
        Backup b = backup("k8s1", CLUSTER.kubernetesVersion(), false, true);
        assertThatThrownBy(() -> restore(CLUSTER, b)).hasMessageContaining("the backup has no pki/ca.crt");
    }

    @Test
    void encryptedSecretsWithEncryptionTurnedOffAreRefused() {
        Backup b = backup("k8s1", CLUSTER.kubernetesVersion(), true, true);
        Cluster off = CLUSTER.toBuilder().encryption(Encryption.disabled()).build();
        assertThatThrownBy(() -> restore(off, b)).hasMessageContaining("encryption off")
                .hasMessageContaining("would be unreadable");
    }

    @Test
    void aConfirmationNamingAnotherClusterIsAUsageError() {
        Backup b = backup("k8s1", CLUSTER.kubernetesVersion(), true, true);
        assertThatThrownBy(() -> CLUSTER.restore(b, RestoreOptions.replacing("k8s2"), ApplyOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RestoreOptions.replacing(\"k8s1\")");
    }

    private static void restore(Cluster c, Backup b) {
        c.restore(b, RestoreOptions.defaults(), ApplyOptions.defaults());
    }

    private Backup backup(String cluster, String version, boolean pki, boolean encryption) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put(Backup.SNAPSHOT, "SIMULATED snapshot".getBytes(StandardCharsets.UTF_8));
        if (pki) {
            KubePaths.SHARED_PKI.forEach(p -> parts.put("pki/" + p, ("SIMULATED " + p).getBytes(StandardCharsets.UTF_8)));
        }
        if (encryption) {
            parts.put("config/" + Path.of(CLUSTER.encryption().configFile()).getFileName(),
                    "SIMULATED encryption config".getBytes(StandardCharsets.UTF_8));
        }
        return Backup.write(dir.resolve(cluster + "-" + version + ".backup"), cluster, version, Instant.EPOCH, "m1",
                List.of("m1 https://10.10.1.11:2380"), 7, 42, parts);
    }
}
