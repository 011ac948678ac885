package io.epiphany.api;

import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Cluster#restore(Backup, RestoreOptions, ApplyOptions)} treats machines that still run a cluster. By
 * default ({@link #defaults()}) a restore refuses when any described master still runs an API server or an etcd
 * member or holds a kubelet.conf: restoring over a live cluster destroys it. {@link #replacing(String)} names the
 * cluster to confirm that its machines are to be reset first (as {@link Cluster#reset(String)} does) and the backup
 * restored onto them.
 */
public final class RestoreOptions {
    private static final RestoreOptions DEFAULTS = new RestoreOptions(null);
    private final String replacing;

    private RestoreOptions(String replacing) {
        this.replacing = replacing;
    }

    /** Refuse to run over a live cluster. */
    public static RestoreOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Reset the described machines first when they still run a cluster; {@code confirmClusterName} must be the
     * description's {@link Cluster#name()}.
     */
    public static RestoreOptions replacing(String confirmClusterName) {
        Objects.requireNonNull(confirmClusterName, "confirmClusterName");
        if (confirmClusterName.isBlank()) {
            throw new IllegalArgumentException("replacing(name): the name of the cluster to replace is empty");
        }
        return new RestoreOptions(confirmClusterName);
    }

    /** The cluster name given to confirm that a live cluster on the machines is replaced. */
    public Optional<String> replacingCluster() {
        return Optional.ofNullable(replacing);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RestoreOptions r && Objects.equals(replacing, r.replacing);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(replacing);
    }

    @Override
    public String toString() {
        return replacing == null ? "RestoreOptions[refuse a live cluster]" : "RestoreOptions[replacing " + replacing
                + "]";
    }
}
