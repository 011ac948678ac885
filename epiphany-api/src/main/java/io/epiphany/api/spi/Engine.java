package io.epiphany.api.spi;

import io.epiphany.api.ApplyOptions;
import io.epiphany.api.ApplyResult;
import io.epiphany.api.Backup;
import io.epiphany.api.Certificates;
import io.epiphany.api.Cluster;
import io.epiphany.api.Kubeconfig;
import io.epiphany.api.LoadBalancerStatus;
import io.epiphany.api.Plan;
import io.epiphany.api.Rendering;

/**
 * What {@link Cluster}'s operations delegate to. Found with {@link java.util.ServiceLoader}; {@code epiphany-kubeadm}
 * provides it. Not for users to call.
 */
public interface Engine {
    /** Every file the SDK would put on every host, computed from the model alone. */
    Rendering render(Cluster cluster);

    /** Gathers facts (read-only) and computes the changes. */
    Plan plan(Cluster cluster, ApplyOptions options);

    /** Carries out a plan, refusing when the facts changed since it was made; then verifies the cluster. */
    ApplyResult apply(Plan plan, ApplyOptions options);

    /** Plans and carries out the plan on one gathering of facts (no review in between); then verifies. */
    ApplyResult apply(Cluster cluster, ApplyOptions options);

    /** The admin kubeconfig from a master. */
    Kubeconfig kubeconfig(Cluster cluster, ApplyOptions options);

    /** Tears the cluster down: nodes, then masters, then load balancers. */
    void reset(Cluster cluster, ApplyOptions options);

    /** Reads every host's HAProxy in parallel (read-only) into one table. */
    default LoadBalancerStatus loadBalancers(Cluster cluster, ApplyOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " does not read load balancers");
    }

    /** Reads every master's certificates and every machine's kubelet client certificate (read-only). */
    default Certificates certificates(Cluster cluster, ApplyOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " does not read certificates");
    }

    /** Reads every master's encryption key names and which key each stored Secret is encrypted with (read-only). */
    default io.epiphany.api.EncryptionStatus encryptionStatus(Cluster cluster, ApplyOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " does not read encryption status");
    }

    /** Takes a backup of the cluster into one archive. */
    default Backup backup(Cluster cluster, java.nio.file.Path archive, ApplyOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " does not take backups");
    }

    /** Rebuilds the cluster from a backup archive on the described machines. */
    default ApplyResult restore(Cluster cluster, Backup backup, io.epiphany.api.RestoreOptions restore,
            ApplyOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " does not restore backups");
    }
}
