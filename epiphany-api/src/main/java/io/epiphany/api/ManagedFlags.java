package io.epiphany.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Control-plane flags the SDK (or kubeadm, under the SDK's settings) sets for safety. An extra arg of the same name
 * would silently replace it (extra args win), so it is refused and the message names the field to use instead,
 * unless an explicit override names the flag ({@link ApiServer#allowOverride()}, {@link
 * Cluster#controllerManagerAllowOverride()}, {@link Cluster#schedulerAllowOverride()}); an allowed override is a
 * warning.
 */
final class ManagedFlags {
    private static final String PKI = "certificatesDir (kubeadm derives this file from it)";
    private static final String KUBEADM = "none: kubeadm's secure setting stands";
    private static final Map<String, String> API_SERVER = new LinkedHashMap<>();
    private static final Map<String, String> CONTROLLER_MANAGER = new LinkedHashMap<>();
    private static final Map<String, String> SCHEDULER = new LinkedHashMap<>();
    private static final String PROFILING = "none: the SDK keeps profiling off (it serves /debug/pprof)";
    /** kubeadm binds the secure port of both to 127.0.0.1: its /metrics and /debug endpoints stay off the network. */
    private static final String LOCAL_ONLY = "none: kubeadm serves the secure port on 127.0.0.1 only";
    /** kubeadm's kubeconfig of the component: its identity, whose RBAC rights kubeadm sets up. */
    private static final String OWN_KUBECONFIG = "none: kubeadm writes the component's own kubeconfig";

    static {
        String admission = "apiServer.admissionPlugins (the SDK enables exactly that list, NodeRestriction included)";
        API_SERVER.put("enable-admission-plugins", "apiServer.admissionPlugins");
        API_SERVER.put("disable-admission-plugins", admission);
        API_SERVER.put("admission-control", admission);
        API_SERVER.put("profiling", "apiServer.profiling");
        API_SERVER.put("audit-policy-file", "apiServer.audit.policyFile");
        API_SERVER.put("audit-log-path", "apiServer.audit.logPath");
        API_SERVER.put("audit-log-maxage", "apiServer.audit.maxAge");
        API_SERVER.put("audit-log-maxbackup", "apiServer.audit.maxBackup");
        API_SERVER.put("audit-log-maxsize", "apiServer.audit.maxSize");
        API_SERVER.put("encryption-provider-config", "encryption.enabled and encryption.configFile");
        API_SERVER.put("authorization-mode", "none: the SDK keeps kubeadm's Node,RBAC");
        API_SERVER.put("authorization-config", "none: the SDK keeps kubeadm's Node,RBAC");
        API_SERVER.put("anonymous-auth", KUBEADM);
        API_SERVER.put("enable-bootstrap-token-auth", "none: machines join with bootstrap tokens");
        API_SERVER.put("insecure-port", "none: an unauthenticated port, removed in Kubernetes 1.24");
        API_SERVER.put("insecure-bind-address", "none: an unauthenticated port, removed in Kubernetes 1.24");
        for (String file : new String[] {"kubelet-certificate-authority", "kubelet-client-certificate",
                "kubelet-client-key", "client-ca-file", "tls-cert-file", "tls-private-key-file", "etcd-cafile",
                "etcd-certfile", "etcd-keyfile", "service-account-key-file", "service-account-signing-key-file",
                "requestheader-client-ca-file", "proxy-client-cert-file", "proxy-client-key-file"}) {
            API_SERVER.put(file, PKI);
        }
        API_SERVER.put("etcd-servers", "none: each API server uses its own stacked etcd member");
        CONTROLLER_MANAGER.put("profiling", PROFILING);
        // false makes every controller act with the controller-manager's own, far wider, rights instead of its
        // own service account's (the RBAC roles of each controller no longer limit it)
        CONTROLLER_MANAGER.put("use-service-account-credentials", KUBEADM);
        CONTROLLER_MANAGER.put("bind-address", LOCAL_ONLY);
        // kubeadm's "*,bootstrapsigner,tokencleaner": without the signer joins fail, without the cleaner expired
        // bootstrap tokens (credentials) stay in the cluster for good
        CONTROLLER_MANAGER.put("controllers", "none: kubeadm enables the bootstrap token signer and cleaner");
        for (String file : new String[] {"service-account-private-key-file", "root-ca-file",
                "cluster-signing-cert-file", "cluster-signing-key-file", "client-ca-file",
                "requestheader-client-ca-file"}) {
            CONTROLLER_MANAGER.put(file, PKI);
        }
        for (String kubeconfig : new String[] {"kubeconfig", "authentication-kubeconfig", "authorization-kubeconfig"}) {
            CONTROLLER_MANAGER.put(kubeconfig, OWN_KUBECONFIG);
            SCHEDULER.put(kubeconfig, OWN_KUBECONFIG);
        }
        SCHEDULER.put("profiling", PROFILING);
        SCHEDULER.put("bind-address", LOCAL_ONLY);
    }

    /** The components whose flags are guarded, by the field that holds their extra args. */
    enum Component {
        API_SERVER_FLAGS("apiServer.extraArgs", "apiServer.allowOverride", "api_server.allow_override",
                ManagedFlags.API_SERVER),
        CONTROLLER_MANAGER_FLAGS("controllerManagerExtraArgs", "controllerManagerAllowOverride",
                "controller_manager.allow_override", ManagedFlags.CONTROLLER_MANAGER),
        SCHEDULER_FLAGS("schedulerExtraArgs", "schedulerAllowOverride", "scheduler.allow_override",
                ManagedFlags.SCHEDULER);

        final String field;
        /** The field naming the flags its extra args may replace anyway, and its YAML path. */
        final String overrideField;
        final String overrideYaml;
        private final Map<String, String> flags;

        Component(String field, String overrideField, String overrideYaml, Map<String, String> flags) {
            this.field = field;
            this.overrideField = overrideField;
            this.overrideYaml = overrideYaml;
            this.flags = flags;
        }

        /** What to use instead of this flag, when the SDK manages it. */
        Optional<String> useInstead(String flag) {
            if (flags.containsKey(flag)) {
                return Optional.of(flags.get(flag));
            }
            if (this == API_SERVER_FLAGS && flag.startsWith("audit-log-")) {
                return Optional.of("apiServer.audit");
            }
            return Optional.empty();
        }
    }

    private ManagedFlags() {}

    static String refusal(Component component, String flag, String useInstead) {
        return "replaces a flag the SDK sets for safety; use " + useInstead + ", or if you mean it, name it in "
                + component.overrideField + " (YAML " + component.overrideYaml + ": [" + flag + "])";
    }

    /** The managed flags named in {@code args} that {@code allowed} lets through. */
    static Map<String, String> overrides(Component component, Map<String, String> args, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        args.forEach((flag, value) -> {
            if (component.useInstead(flag).isPresent() && allowed.contains(flag)) {
                out.put(flag, value);
            }
        });
        return out;
    }
}
