package io.epiphany.api;

import io.epiphany.api.remote.RemoteAccess;
import java.time.Duration;
import java.util.Optional;
import org.immutables.value.Value;

/** How an apply or reset runs: progress listener, shared remote access, timeouts, and explicit opt-ins. */
@Value.Immutable
@SdkStyle
public abstract class ApplyOptions {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    ApplyOptions() {}

    @Value.Default
    public ProgressListener listener() {
        return ProgressListener.NONE;
    }

    /**
     * The runtime that reaches hosts; when empty, one is created for the operation and closed after. Share one
     * across operations to reuse SSH sessions.
     */
    public abstract Optional<RemoteAccess> remoteAccess();

    /**
     * Remove masters (and nodes) that are no longer described and cannot be reached, from etcd, the API and every
     * load balancer, without cleaning the machine itself. Off by default: an unreachable machine may only be
     * partitioned.
     */
    @Value.Default
    public boolean forceRemoveUnreachable() {
        return false;
    }

    /**
     * Machines the description no longer lists but that the SDK must reach to remove them cleanly (their SSH
     * address, port, user). Without an entry a retired machine is reached at its Node's InternalIP with the cluster's
     * SSH settings, mapped through {@link SshSettings#addressBook()} (which is how the simulated fleet of
     * epiphany-testkit reaches them without this option).
     */
    public abstract java.util.List<Machine> knownMachines();

    /**
     * How long one {@code kubectl drain} (a node removed, a machine upgraded) may wait for its Pods to be evicted
     * ({@code --timeout}); a PodDisruptionBudget that allows no disruption keeps it waiting until then, and the apply
     * fails naming the Pod.
     */
    @Value.Default
    public Duration drainTimeout() {
        return Duration.ofMinutes(5);
    }

    /**
     * The time each evicted Pod gets to terminate ({@code kubectl drain --grace-period}); empty by default: each Pod's
     * own {@code terminationGracePeriodSeconds}, so a database that asks for longer gets it. Must be shorter than
     * {@link #drainTimeout()}.
     */
    public abstract Optional<Duration> drainGracePeriod();

    /**
     * Drain Pods that use emptyDir volumes ({@code --delete-emptydir-data}). On by default: emptyDir is scratch
     * space by definition (deleted with the Pod wherever it goes), and metrics-server, among others, uses one.
     */
    @Value.Default
    public boolean drainDeleteEmptyDirData() {
        return true;
    }

    /**
     * Drain Pods that declare no controller ({@code --force}): they are deleted and nothing recreates them. Off by
     * default: such a drain fails naming those Pods, to be moved by their owner first.
     */
    @Value.Default
    public boolean drainForce() {
        return false;
    }

    /**
     * Delete Pods instead of evicting them ({@code --disable-eviction}), which bypasses PodDisruptionBudgets. Off by
     * default; only for a budget known to be wrong, as it can take an application below its minimum.
     */
    @Value.Default
    public boolean drainDisableEviction() {
        return false;
    }

    /**
     * Upgrades: the share of workers (percent, at least one machine) drained and upgraded at the same time; the
     * masters always go one at a time.
     */
    @Value.Default
    public int upgradeMaxUnavailablePercent() {
        return 10;
    }

    /**
     * Upgrades: how long to wait after a machine is uncordoned before the next one is drained, so the workloads moved
     * off it are running again (k0sctl users hit drains back to back, k0sctl#537).
     */
    @Value.Default
    public Duration upgradeSettleTime() {
        return Duration.ofSeconds(10);
    }

    /**
     * Upgrades: the directory on this machine the etcd snapshot taken before the first change is copied to (file mode
     * 0600, SHA-256 and size checked). The result names the file.
     */
    @Value.Default
    public java.nio.file.Path upgradeSnapshotDirectory() {
        return java.nio.file.Path.of("epiphany-backups");
    }

    @Value.Check
    protected void checkUpgradeSettings() {
        if (upgradeMaxUnavailablePercent() < 1 || upgradeMaxUnavailablePercent() > 100) {
            throw new IllegalArgumentException("upgradeMaxUnavailablePercent must be 1 to 100, not "
                    + upgradeMaxUnavailablePercent());
        }
        if (drainTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("drainTimeout must be at least 1 s, not " + drainTimeout()
                    + " (kubectl's 0 would wait forever)");
        }
        drainGracePeriod().filter(g -> g.isNegative() || g.compareTo(drainTimeout()) >= 0).ifPresent(g -> {
            throw new IllegalArgumentException("drainGracePeriod must be 0 or more and shorter than drainTimeout ("
                    + drainTimeout() + "), not " + g);
        });
        if (upgradeSettleTime().isNegative()) {
            throw new IllegalArgumentException("upgradeSettleTime must not be negative");
        }
    }

    /** How long to wait for etcd members and Nodes to become healthy after a change. */
    @Value.Default
    public Duration healthTimeout() {
        return Duration.ofMinutes(5);
    }

    /**
     * How long the cluster lock an apply or reset takes on the masters stays valid when its holder dies without
     * releasing it; after that the next caller takes it over. Longer than any apply should take.
     */
    @Value.Default
    public Duration lockTtl() {
        return Duration.ofHours(2);
    }

    /**
     * Take the cluster lock even when another caller holds it and it has not expired. Off by default: only for a
     * holder known to be gone (its process killed, its machine lost); two applies at once corrupt etcd.
     */
    @Value.Default
    public boolean forceLockTakeover() {
        return false;
    }

    /**
     * Certificates that expire within this are renewed by {@code apply()} (kubeadm's non-CA certificates, one master
     * at a time) and reported by {@code plan()}; a certificate authority expiring within it is a finding (kubeadm does
     * not renew CAs). The one threshold for both.
     */
    @Value.Default
    public Duration certificateRenewalThreshold() {
        return Duration.ofDays(30);
    }

    /**
     * Rotate the encryption-at-rest key in this apply, by the Kubernetes procedure ("Rotating a decryption key"): a
     * new key added second on every master, then made first, every Secret rewritten under it, then the old key
     * removed; the API servers restarted one at a time at each stage. Off by default. A rotation that was interrupted
     * is finished by the next apply with or without this (the masters' encryption configs show it). A cluster the
     * apply creates gets a new key anyway: nothing to rotate. Every joined master must be reachable. See
     * {@link Cluster#encryptionStatus()}.
     */
    @Value.Default
    public boolean rotateEncryptionKey() {
        return false;
    }

    /**
     * The controller's clock: certificate expiry and the hosts' clock skew are judged against it. The system clock by
     * default; a test fleet whose clock moves hands its own.
     */
    @Value.Default
    public java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    public static ApplyOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    /** Builds {@link ApplyOptions}. */
    public static class Builder extends ImmutableApplyOptions.Builder {}
}
