package io.epiphany.kubeadm.render;

import io.epiphany.api.ApiServer;
import io.epiphany.api.Audit;
import io.epiphany.api.Cluster;
import io.epiphany.api.Encryption;
import io.epiphany.api.Machine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** kubeadm's {@code ClusterConfiguration}: the part every master shares, stored by kubeadm in the cluster. */
final class ClusterConfiguration {
    static final String ETCD_DATA_DIR = "/var/lib/etcd";

    private ClusterConfiguration() {}

    static Map<String, Object> of(Cluster cluster) {
        KubeadmApi api = KubeadmApi.of(cluster.version());
        List<String> certSans = certSans(cluster);
        return Yaml.map(
                "apiVersion", api.apiVersion(),
                "kind", "ClusterConfiguration",
                "clusterName", cluster.name(),
                "kubernetesVersion", cluster.version().toString(),
                "controlPlaneEndpoint", cluster.loadBalancer().endpoint(),
                "certificatesDir", cluster.certificatesDir(),
                "imageRepository", cluster.imageRepository().orElse(null),
                "networking", Yaml.map(
                        "podSubnet", cluster.networking().podSubnet(),
                        "serviceSubnet", cluster.networking().serviceSubnet(),
                        "dnsDomain", cluster.networking().dnsDomain()),
                "etcd", Yaml.map("local", Yaml.map("dataDir", ETCD_DATA_DIR)),
                "apiServer", Yaml.map(
                        "certSANs", certSans,
                        "extraArgs", api.args(apiServerArgs(cluster)),
                        "extraVolumes", nullIfEmpty(apiServerVolumes(cluster))),
                "controllerManager", Yaml.map("extraArgs", api.args(controllerManagerArgs(cluster))),
                "scheduler", Yaml.map("extraArgs", api.args(schedulerArgs(cluster))),
                "featureGates", FeatureGates.of(cluster.version()));
    }

    /** The SDK's API server flags, then the user's, which win. */
    static Map<String, String> apiServerArgs(Cluster cluster) {
        Map<String, String> args = sdkApiServerArgs(cluster);
        args.putAll(cluster.apiServer().extraArgs());
        return args;
    }

    /** The API server flags the SDK sets itself (kubeadm adds its own beneath them). */
    static Map<String, String> sdkApiServerArgs(Cluster cluster) {
        ApiServer api = cluster.apiServer();
        Map<String, String> args = new LinkedHashMap<>();
        // Replaces kubeadm's own --enable-admission-plugins=NodeRestriction: validation insists it stays listed.
        args.put("enable-admission-plugins", String.join(",", api.admissionPlugins()));
        args.put("profiling", Boolean.toString(api.profiling()));
        Audit audit = api.audit();
        if (audit.enabled()) {
            args.put("audit-policy-file", audit.policyFile());
            args.put("audit-log-path", audit.logPath());
            args.put("audit-log-maxage", Integer.toString(audit.maxAge()));
            args.put("audit-log-maxbackup", Integer.toString(audit.maxBackup()));
            args.put("audit-log-maxsize", Integer.toString(audit.maxSize()));
        }
        if (cluster.encryption().enabled()) {
            args.put("encryption-provider-config", cluster.encryption().configFile());
        }
        return args;
    }


    static Map<String, String> controllerManagerArgs(Cluster cluster) {
        return sdkThenUser(cluster.controllerManagerExtraArgs(), CONTROLLER_MANAGER);
    }

    static Map<String, String> schedulerArgs(Cluster cluster) {
        return sdkThenUser(cluster.schedulerExtraArgs(), SCHEDULER);
    }

    /** The controller-manager's and the scheduler's flags the SDK sets itself ({@code name, value, ...}). */
    static final String[] CONTROLLER_MANAGER = {"profiling", "false", "terminated-pod-gc-threshold", "200"};
    static final String[] SCHEDULER = {"profiling", "false"};

    /** The API server certificate's extra names: the endpoints clients use, and every master's address. */
    static List<String> certSans(Cluster cluster) {
        List<String> certSans = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        cluster.masters().stream().map(Machine::ip).forEach(certSans::add);
        return certSans;
    }

    /** The SDK's flags ({@code name, value, ...}), then the user's: a user flag of the same name wins. */
    static Map<String, String> sdkThenUser(Map<String, String> user, String... sdkNamesAndValues) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < sdkNamesAndValues.length; i += 2) {
            args.put(sdkNamesAndValues[i], sdkNamesAndValues[i + 1]);
        }
        args.putAll(user);
        return args;
    }

    /**
     * Host directories the API server pod needs: the encryption config and the audit policy read-only, the audit log
     * directory writable. One mount per directory: two mounts at one path make the pod invalid.
     */
    static List<Map<String, Object>> apiServerVolumes(Cluster cluster) {
        Map<String, String[]> byDir = new LinkedHashMap<>(); // dir -> {name, readOnly}
        Encryption encryption = cluster.encryption();
        if (encryption.enabled()) {
            mount(byDir, parent(encryption.configFile()), "encryption-config", true);
        }
        Audit audit = cluster.apiServer().audit();
        if (audit.enabled()) {
            mount(byDir, parent(audit.policyFile()), "audit-policy", true);
            mount(byDir, parent(audit.logPath()), "audit-log", false);
        }
        List<Map<String, Object>> volumes = new ArrayList<>();
        byDir.forEach((dir, v) -> volumes.add(Yaml.map("name", v[0], "hostPath", dir, "mountPath", dir,
                "readOnly", Boolean.parseBoolean(v[1]), "pathType", "DirectoryOrCreate")));
        return volumes;
    }

    private static void mount(Map<String, String[]> byDir, String dir, String name, boolean readOnly) {
        String[] existing = byDir.get(dir);
        if (existing == null) {
            byDir.put(dir, new String[] {name, Boolean.toString(readOnly)});
        } else if (!readOnly) {
            existing[1] = "false"; // shared with a writable use: the mount must be writable
        }
    }

    static String parent(String file) {
        int slash = file.lastIndexOf('/');
        return slash <= 0 ? "/" : file.substring(0, slash);
    }

    private static <T> List<T> nullIfEmpty(List<T> list) {
        return list.isEmpty() ? null : list;
    }
}
