package io.epiphany.api;

import io.epiphany.api.spi.Engines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A highly-available Kubernetes cluster: masters (kubeadm control plane with stacked etcd), nodes, and the settings
 * that shape them. An immutable value: build it, validate it (every problem at once, before any host is touched),
 * render the files it puts on each host, and apply it.
 *
 * <pre>{@code
 * Cluster cluster = Cluster.builder()
 *         .masters(Machine.of("k1m1", "10.10.1.148"), Machine.of("k1m2", "10.10.2.129"), Machine.of("k1m3", "10.10.3.16"))
 *         .nodes(Machine.of("k1c1", "10.10.1.208"))
 *         .build();
 * cluster.render().files("k1c1");
 * }</pre>
 */
@Value.Immutable
@SdkStyle
public abstract class Cluster {
    /** Only the generated implementation extends it: a value cannot be made around its validation. */
    Cluster() {}

    /** Cluster name (kubeadm's {@code clusterName}). */
    @Value.Default
    public String name() {
        return "kubernetes";
    }

    /** Control-plane machines, each running an API server and an etcd member. The first runs {@code kubeadm init}. */
    public abstract List<Machine> masters();

    /** Worker machines. */
    public abstract List<Machine> nodes();

    /** Kubernetes release, e.g. {@code 1.37.0}; see {@link KubernetesVersion} for the supported ones. */
    @Value.Default
    public String kubernetesVersion() {
        return KubernetesVersion.DEFAULT;
    }

    @Value.Default
    public SshSettings ssh() {
        return SshSettings.defaults();
    }

    @Value.Default
    public LoadBalancer loadBalancer() {
        return LoadBalancer.internal();
    }

    @Value.Default
    public Networking networking() {
        return Networking.defaults();
    }

    @Value.Default
    public ApiServer apiServer() {
        return ApiServer.defaults();
    }

    /**
     * kube-controller-manager flags on top of the SDK's ({@code profiling=false}, {@code terminated-pod-gc-threshold=200});
     * a flag given here wins.
     */
    public abstract Map<String, String> controllerManagerExtraArgs();

    /**
     * Managed controller-manager flags that {@link #controllerManagerExtraArgs()} may replace anyway (the explicit
     * "I know", as {@link ApiServer#allowOverride()}): {@code profiling}, {@code use-service-account-credentials},
     * {@code bind-address}, {@code controllers} and kubeadm's kubeconfig and PKI files are refused otherwise. Each
     * override is listed in {@link #warnings()}.
     */
    public abstract java.util.Set<String> controllerManagerAllowOverride();

    /** kube-scheduler flags on top of the SDK's ({@code profiling=false}); a flag given here wins. */
    public abstract Map<String, String> schedulerExtraArgs();

    /**
     * Managed scheduler flags that {@link #schedulerExtraArgs()} may replace anyway: {@code profiling},
     * {@code bind-address} and kubeadm's kubeconfig files are refused otherwise. Each override is a warning.
     */
    public abstract java.util.Set<String> schedulerAllowOverride();

    @Value.Default
    public Encryption encryption() {
        return Encryption.defaults();
    }

    @Value.Default
    public String certificatesDir() {
        return "/etc/kubernetes/pki";
    }

    /** CRI socket of the container runtime on every machine. */
    @Value.Default
    public String criSocket() {
        return "unix:///run/containerd/containerd.sock";
    }

    /** How bare machines are prepared (on by default), and the package repositories hosts install from. */
    @Value.Default
    public HostPreparation hostPreparation() {
        return HostPreparation.defaults();
    }

    /** The pod network installed after the control plane; Calico by default. */
    @Value.Default
    public Cni cni() {
        return Cni.calico();
    }

    /**
     * Registry of the control-plane images (kubeadm's {@code imageRepository}; kubeadm's default is
     * {@code registry.k8s.io}): a mirror for air-gapped sites. Also the sandbox (pause) image's registry in containerd.
     */
    public abstract java.util.Optional<String> imageRepository();

    /**
     * Allow an even number of masters. Off by default: with stacked etcd, 2 masters tolerate no failure (like 1) and 4
     * tolerate one (like 3), so an even count adds risk without adding tolerance.
     */
    @Value.Default
    public boolean allowEvenMasters() {
        return false;
    }

    /** Secret material generated once for this value; never part of {@code equals} or {@code toString}. */
    @Value.Lazy
    public ClusterSecrets secrets() {
        return ClusterSecrets.generate(encryption());
    }

    /** {@link #kubernetesVersion()} parsed. */
    @Value.Lazy
    public KubernetesVersion version() {
        return KubernetesVersion.of(kubernetesVersion());
    }

    /** Masters then nodes. */
    public List<Machine> machines() {
        List<Machine> all = new ArrayList<>(masters());
        all.addAll(nodes());
        return all;
    }

    /** The machine with this hostname. */
    public Optional<Machine> machine(String hostname) {
        return machines().stream().filter(m -> m.hostname().equals(hostname)).findFirst();
    }

    /** True when the machine is a master of this cluster. */
    public boolean isMaster(Machine machine) {
        return masters().stream().anyMatch(m -> m.hostname().equals(machine.hostname()));
    }

    /** Warnings that do not stop the SDK (e.g. a weak encryption provider). */
    public List<String> warnings() {
        return ClusterValidator.warnings(this);
    }

    /** Every file the SDK puts on every host, computed without touching any host. */
    public Rendering render() {
        return Engines.load().render(this);
    }

    /**
     * Connects to every machine, gathers facts in parallel (read-only) and returns what {@link #apply()} would change.
     */
    public Plan plan() {
        return plan(ApplyOptions.defaults());
    }

    public Plan plan(ApplyOptions options) {
        return Engines.load().plan(this, options);
    }

    /** Brings the machines to this description: plan, then carry it out, then verify. Idempotent. */
    public ApplyResult apply() {
        return apply(ApplyOptions.defaults());
    }

    public ApplyResult apply(ApplyOptions options) {
        return Engines.load().apply(this, options);
    }

    /** Carries out a plan already shown to a person; refuses when the hosts changed since it was made. */
    public ApplyResult apply(Plan plan) {
        return apply(plan, ApplyOptions.defaults());
    }

    public ApplyResult apply(Plan plan, ApplyOptions options) {
        if (!plan.cluster().equals(this)) {
            throw new IllegalArgumentException("the plan was made for a different cluster description");
        }
        return Engines.load().apply(plan, options);
    }

    /** The admin kubeconfig, read from a master (its server is {@code https://localhost:3446}; see withServerOf). */
    public Kubeconfig kubeconfig() {
        return Engines.load().kubeconfig(this, ApplyOptions.defaults());
    }

    /**
     * Tears the cluster down (nodes, then masters, then load balancers) and leaves the machines ready for a fresh
     * {@link #apply()}. Destroys every workload and all etcd data: pass the cluster's {@link #name()} to confirm.
     */
    public void reset(String confirmClusterName) {
        reset(confirmClusterName, ApplyOptions.defaults());
    }

    public void reset(String confirmClusterName, ApplyOptions options) {
        if (!name().equals(confirmClusterName)) {
            throw new IllegalArgumentException("reset destroys cluster '" + name() + "' and all its data: confirm by "
                    + "passing its name, reset(\"" + name() + "\")");
        }
        Engines.load().reset(this, options);
    }

    /**
     * Every host's HAProxy, read in parallel through its runtime API (read-only): each backend server's state, last
     * check and its duration, open connections, and whether the host's config is the described one; flags a host
     * whose HAProxy is not running, whose backends differ from the description, and a master down on some hosts only.
     */
    public LoadBalancerStatus loadBalancers() {
        return loadBalancers(ApplyOptions.defaults());
    }

    public LoadBalancerStatus loadBalancers(ApplyOptions options) {
        return Engines.load().loadBalancers(this, options);
    }

    /**
     * Every certificate on every master (the PKI files kubeadm writes, CAs included, and the client certificates of
     * its kubeconfigs) and each machine's kubelet client certificate, read in parallel (read-only) and parsed by the
     * SDK: subject, issuer, expiry, days left, names. No private key is read into it.
     */
    public Certificates certificates() {
        return certificates(ApplyOptions.defaults());
    }

    public Certificates certificates(ApplyOptions options) {
        return Engines.load().certificates(this, options);
    }

    /**
     * Encryption at rest as the masters have it: each master's key names in order (the first encrypts; never the key
     * material) and how many Secrets etcd holds under each key, read-only. Shows an interrupted key rotation
     * ({@link ApplyOptions#rotateEncryptionKey()}).
     */
    public EncryptionStatus encryptionStatus() {
        return encryptionStatus(ApplyOptions.defaults());
    }

    public EncryptionStatus encryptionStatus(ApplyOptions options) {
        return Engines.load().encryptionStatus(this, options);
    }

    /**
     * Takes an etcd snapshot on a master whose etcd member is healthy (inside its etcd container), checks it with
     * {@code etcdutl snapshot status}, and writes it with the shared PKI, the encryption config and the audit policy
     * into one archive at {@code archive} (mode 0600, a manifest with the SHA-256 of every part; see {@link Backup});
     * the snapshot is removed from the master. Read-only for the cluster.
     */
    public Backup backup(Path archive) {
        return backup(archive, ApplyOptions.defaults());
    }

    public Backup backup(Path archive, ApplyOptions options) {
        return Engines.load().backup(this, archive, options);
    }

    /**
     * Disaster recovery: rebuilds this cluster from a {@link Backup} on the described machines, which may be new and
     * have new addresses. The archive is verified again (and its cluster name and Kubernetes version checked against
     * this description) before any host is touched; a live cluster on the machines is refused unless
     * {@link RestoreOptions#replacing(String)} confirms it. Then, with the usual host preparation: the backup's
     * shared PKI and encryption config on the first master, its etcd snapshot restored there into a new single-member
     * etcd, {@code kubeadm init} on that data, the restored Node objects of other machines deleted, the other masters
     * and the nodes joined as in {@link #apply()}, and the cluster verified. Nothing of the archive is left on the
     * hosts but the PKI and the encryption config.
     */
    public ApplyResult restore(Backup backup) {
        return restore(backup, RestoreOptions.defaults(), ApplyOptions.defaults());
    }

    /** {@link #restore(Backup)} with these options (a live cluster is refused). */
    public ApplyResult restore(Backup backup, ApplyOptions options) {
        return restore(backup, RestoreOptions.defaults(), options);
    }

    public ApplyResult restore(Backup backup, RestoreOptions restore, ApplyOptions options) {
        java.util.Objects.requireNonNull(backup, "backup");
        restore.replacingCluster().filter(n -> !n.equals(name())).ifPresent(n -> {
            throw new IllegalArgumentException("restore replaces cluster '" + name() + "', not '" + n + "': confirm "
                    + "with RestoreOptions.replacing(\"" + name() + "\")");
        });
        return Engines.load().restore(this, backup, restore, options);
    }

    /** Reads the Epiphany YAML format (the design's section 5 plus {@code kind: configuration/kubernetes-ha}). */
    public static Cluster fromYaml(String yaml) {
        return EpiphanyYaml.read(yaml, "<string>");
    }

    /** Reads an Epiphany YAML file. */
    public static Cluster fromYaml(Path file) {
        return EpiphanyYaml.read(file);
    }

    /** This cluster in the Epiphany YAML format; {@code fromYaml(toYaml())} equals this value. */
    public String toYaml() {
        return EpiphanyYaml.write(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    public abstract Builder toBuilder();

    @Value.Check
    protected void check() {
        List<Problem> problems = ClusterValidator.problems(this);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** Builds a {@link Cluster}; {@link #build()} validates and throws {@link ConfigException} listing every problem. */
    public static class Builder extends ImmutableCluster.Builder {
        /** Replaces the masters. */
        public final Builder masters(Machine... machines) {
            return masters(Arrays.asList(machines));
        }

        /** Replaces the nodes. */
        public final Builder nodes(Machine... machines) {
            return nodes(Arrays.asList(machines));
        }

        /** {@code false}: hosts are only checked, every missing piece listed per host (for pre-baked images). */
        public final Builder hostPreparation(boolean enabled) {
            return hostPreparation(enabled ? HostPreparation.defaults() : HostPreparation.disabled());
        }
    }
}
