package io.epiphany.testkit.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a SIMULATED fleet knows beyond the hosts' files: each host's power, services and installed binaries,
 * and the one simulated Kubernetes cluster (etcd members, Nodes, bootstrap tokens). A plain mutable document, always
 * changed under the lock of a {@link StateStore}; serialised as JSON when the hosts are separate processes.
 */
public final class SimulationState {
    /** Seconds added to the real clock: lets a test age tokens without waiting. */
    public long clockOffsetSeconds;
    public Map<String, Host> hosts = new TreeMap<>();
    /**
     * The etcd version of the static pod (image {@code registry.k8s.io/etcd:<version>-0}); decides how etcdctl in it
     * prints member IDs (3.4: JSON numbers even with {@code --hex}; 3.5 and later: hex strings with it).
     */
    public String etcdVersion = "3.5.21";
    /** How many coming {@code kubeadm upgrade apply} runs fail kubeadm's flaky CreateJob preflight (a fault). */
    public int createJobFailures;
    /** SIMULATED time each {@code kubectl drain} takes to evict a Node's Pods (a benchmark's fixed delay), ms. */
    public long drainDelayMillis;
    /** The cluster; null until a {@code kubeadm init} succeeded. */
    public Kube kube;
    /**
     * Base URLs the SIMULATED package repositories answer at (pkgs.k8s.io layout {@code <base>/v1.37/deb/} and Docker's
     * {@code <base>/debian}, {@code /ubuntu}, {@code /rhel}); anything else does not resolve.
     */
    public List<String> packageBases = new ArrayList<>(List.of(Repositories.KUBERNETES, Repositories.DOCKER));
    /** Registries images can be pulled from (host names, or host/path prefixes of a mirror). */
    public List<String> registries = new ArrayList<>(List.of("registry.k8s.io"));
    /** URLs the SIMULATED network serves (e.g. a CNI manifest), url → content. */
    public Map<String, String> downloads = new TreeMap<>();

    /** One machine. */
    public static final class Host {
        public String ip;
        public boolean up = true;
        /** "debian" (apt-get) or "rhel" (dnf). */
        public String os = "debian";
        public String kubeadmVersion = "v1.37.0";
        /** The installed kubelet's version; null: the same as {@link #kubeadmVersion}. */
        public String kubeletVersion;
        /** The installed kubectl's version; null: the same as {@link #kubeadmVersion}. */
        public String kubectlVersion;
        public TreeSet<String> binaries = new TreeSet<>();
        /** {@code net.ipv4.ip_forward}: "0" on a fresh machine, as on a stock Debian. */
        public String ipForward = "0";
        /** Units that are running. */
        public TreeSet<String> active = new TreeSet<>();
        /** Units started at boot. */
        public TreeSet<String> enabled = new TreeSet<>();
        /** The haproxy.cfg haproxy runs with (read at start and reload), or null. */
        public String haproxyConfig;
        /** When haproxy last read its config (epoch milliseconds): its servers' first checks count from there. */
        public long haproxyLoadedAt;

        /** haproxy (re)started with {@code config}. */
        public void haproxyLoaded(String config) {
            haproxyConfig = config;
            haproxyLoadedAt = System.currentTimeMillis();
        }
        /** Static pods of a control plane (etcd, apiserver, ...) are running on this host. */
        public boolean controlPlaneRunning;
        /** The apiserver found every file its flags name when it started. */
        public boolean apiserverHealthy;
        /**
         * The encryption keys the apiserver read from its EncryptionConfiguration when it last started
         * ({@code provider:name:sha256(material)}, {@code identity}); null: never started, reads and writes plain.
         */
        public List<String> apiserverEncryption;
        /** Only the etcd container stopped (a fault): its member is down, the other static pods still run. */
        public boolean etcdStopped;
        /** How often the kubelet started this host's etcd container: part of the container's ID. */
        public int etcdStarts;
        /** /etc/os-release ID and VERSION_ID, e.g. debian 12, ubuntu 24.04, rocky 9.4. */
        public String osId = "debian";
        public String osVersion = "12";
        /** The host boots with cgroup v1 ({@code stat -fc %T /sys/fs/cgroup} prints tmpfs). */
        public boolean cgroupV1;
        /** Hosts this one cannot reach (a network partition or firewall): its connections to them time out. */
        public TreeSet<String> cutLinks = new TreeSet<>();
        /** Active swap devices ({@code swapon --show}). */
        public TreeSet<String> swap = new TreeSet<>();
        /** Loaded kernel modules ({@code lsmod}). */
        public TreeSet<String> modules = new TreeSet<>();
        /** The bridge sysctls (net.bridge.*); they exist only while br_netfilter is loaded. */
        public TreeMap<String, String> sysctls = new TreeMap<>();
        /** The installed containerd's version (containerd --version), or null. */
        public String containerdVersion;
        /** containerd serves the CRI (its config did not disable the cri plugin when it started). */
        public boolean containerdCri;
        /** Held packages (apt-mark hold). */
        public TreeSet<String> held = new TreeSet<>();
        /** Installed packages from the SIMULATED repositories: name → version and the repository it came from. */
        public TreeMap<String, Installed> packages = new TreeMap<>();
        /** The apt source lines whose index apt-get update fetched (a list added later is unknown until update). */
        public List<String> aptIndexed = new ArrayList<>();
        /** Images in containerd's store, as pulled ("registry.k8s.io/pause:3.10.1"). */
        public TreeSet<String> images = new TreeSet<>();
        /** A CNI config file is in /etc/cni/net.d (seen by the kubelet on this host). */
        public boolean cniConfig;
        /**
         * How often each other control-plane container (kube-apiserver, ...) was stopped with {@code crictl stop} and
         * started again by the kubelet: part of its container's ID.
         */
        public TreeMap<String, Integer> containerRestarts = new TreeMap<>();

        /** The version {@code kubelet --version} prints. */
        public String installedKubelet() {
            return kubeletVersion == null ? kubeadmVersion : kubeletVersion;
        }

        /** The version {@code kubectl version --client} prints. */
        public String installedKubectl() {
            return kubectlVersion == null ? kubeadmVersion : kubectlVersion;
        }
    }

    /** A package installed from a SIMULATED repository. */
    public static final class Installed {
        public String version;
        /** The repository URL it was installed from (the apt source's URI or the dnf baseurl). */
        public String repository;
    }

    /** The Kubernetes cluster. */
    public static final class Kube {
        public String clusterName;
        public String controlPlaneEndpoint;
        public String kubernetesVersion;
        public String initHost;
        public String caCertPem;
        /**
         * The cluster CA's key as the controller-manager's CSR signer holds it (kubeadm points
         * {@code --cluster-signing-key-file} at ca.key): signs the kubelets' client certificates, workers' included.
         */
        public String clientSignerKeyPem;
        public String etcdCaCertPem;
        public String clusterConfiguration;
        public String etcdClusterId;
        public String leaderId;
        public long raftTerm = 2;
        public long revision = 1;
        public List<Member> members = new ArrayList<>();
        public Map<String, Node> nodes = new TreeMap<>();
        /** Pods a test placed on Nodes, for {@code kubectl drain}; none by default. */
        public List<Pod> pods = new ArrayList<>();
        public List<Token> tokens = new ArrayList<>();
        public Map<String, String> keyValues = new TreeMap<>();
        /** Objects applied with {@code kubectl apply}: "Kind/namespace/name" (namespace empty when cluster-scoped) → JSON. */
        public Map<String, String> objects = new TreeMap<>();
        /** What happened to etcd membership, in order (e.g. "member add --learner m2"), for tests. */
        public List<String> history = new ArrayList<>();
    }

    /** An etcd member. IDs are kept as 16 hex digits (zero-padded); etcdctl prints them as its version does. */
    public static final class Member {
        public String id;
        public String name;
        public String host;
        public String peerUrl;
        public String clientUrl;
        public boolean learner;
        /**
         * Added with {@code etcdctl member add} and never started: etcd lists it with no name and no client URLs
         * (a voting member counts against quorum all the same).
         */
        public boolean unstarted;
    }

    /** A Kubernetes Node object. */
    public static final class Node {
        public String name;
        public String host;
        public String ip;
        public boolean controlPlane;
        public String uid;
        public long created;
        public String kubeletVersion;
        public boolean unschedulable;
        public Map<String, String> labels = new LinkedHashMap<>();
        public Map<String, String> annotations = new LinkedHashMap<>();
        public List<Taint> taints = new ArrayList<>();
    }

    /** A Pod on a Node, with what {@code kubectl drain} looks at. */
    public static final class Pod {
        public String namespace;
        public String name;
        public String node;
        /** The kind of its controller ({@code ReplicaSet}, {@code DaemonSet}, ...), null when it declares none. */
        public String controller;
        public boolean emptyDir;
        /** A PodDisruptionBudget covering it that allows no disruption now, or null. */
        public String blockingPdb;
    }

    /** A Node taint. */
    public static final class Taint {
        public String key;
        public String value;
        public String effect;
    }

    /**
     * A bootstrap token (the Secret {@code kube-system/bootstrap-token-<id>}): its id and the SHA-256 of the whole
     * token (the secret itself is not kept), its usages and extra groups. kubeadm's own tokens have both usages and
     * kubeadm's node group.
     */
    public static final class Token {
        public String id;
        public String sha256;
        /** Epoch seconds; 0 = never expires. */
        public long expires;
        /** {@code usage-bootstrap-signing}: the bootstrap signer signs cluster-info for it (discovery). */
        public boolean signing = true;
        /** {@code usage-bootstrap-authentication}: the API server authenticates requests carrying it. */
        public boolean authentication = true;
        /** {@code auth-extra-groups}, beyond {@code system:bootstrappers}. */
        public List<String> groups = new ArrayList<>(List.of("system:bootstrappers:kubeadm:default-node-token"));
    }
}
