package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.api.KubernetesVersion;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * SIMULATED {@code kubeadm upgrade apply --config <f>} and {@code kubeadm upgrade node [--config <f>]}, with kubeadm's
 * rules and messages (cmd/kubeadm/app/phases/upgrade/policy.go {@code EnforceVersionPolicies}, the upgrade preflight
 * of cmd/kubeadm/app/cmd/upgrade/common.go):
 *
 * <ul>
 *   <li>the target comes from {@code UpgradeConfiguration.apply.kubernetesVersion}; without {@code forceUpgrade} (or
 *       {@code --yes}) kubeadm asks for confirmation, and with no terminal the answer is no;</li>
 *   <li>the target must not be newer than the kubeadm binary, may move one minor at a time, and must not be older
 *       than the running control plane;</li>
 *   <li>every control-plane Node must be Ready; the {@code CreateJob} check fails when the fleet says so (it is flaky
 *       on real clusters, kubeadm#3050) unless it is in {@code ignorePreflightErrors};</li>
 *   <li>{@code apply} rewrites this master's kube-apiserver, kube-controller-manager and kube-scheduler manifests at
 *       the target version (the kubelet restarts them) and stores the new version in kubeadm-config;
 *       {@code upgrade node} on a master rewrites its manifests at the stored version, which the binary must be able
 *       to deploy; on a worker it only refreshes the kubelet configuration. The etcd manifest is left as it is (the
 *       SIMULATED etcd has no second version to move to).</li>
 * </ul>
 */
final class KubeadmUpgrade {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "apply", "node", "plan", "diff", "timeouts");
    private static final Set<String> APPLY = Set.of("kubernetesVersion", "allowExperimentalUpgrades", "allowRCUpgrades",
            "certificateRenewal", "dryRun", "etcdUpgrade", "forceUpgrade", "ignorePreflightErrors", "patches",
            "printConfig", "skipPhases", "imagePullPolicy", "imagePullSerial");
    private static final Set<String> NODE = Set.of("certificateRenewal", "dryRun", "etcdUpgrade",
            "ignorePreflightErrors", "skipPhases", "patches", "imagePullPolicy", "imagePullSerial");

    private KubeadmUpgrade() {}

    static int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (!inv.root()) {
            return Kubeadm.preflightErrors(inv, List.of("IsPrivilegedUser]: user is not running as root"));
        }
        String verb = a.size() > 1 ? a.get(1) : "";
        Optional<String> file = Kubeadm.option(a, "--config");
        JsonNode config = null;
        if (file.isPresent()) {
            if (!inv.host().files().exists(file.get())) {
                return inv.fail(1, "unable to read config from \"" + file.get() + "\" : open " + file.get()
                        + ": no such file or directory");
            }
            config = YAML.readTree(inv.host().files().readString(file.get()));
            String problem = unknownField(config);
            if (problem != null) {
                return inv.fail(1, problem);
            }
        }
        return switch (verb) {
            case "apply" -> apply(inv, config, a.contains("--yes") || a.contains("-y"));
            case "node" -> node(inv);
            default -> inv.fail(1, "SIMULATED kubeadm supports 'upgrade apply --config <file>' and 'upgrade node'");
        };
    }

    private static int apply(Invocation inv, JsonNode config, boolean yes) throws IOException {
        JsonNode apply = config == null ? YAML.createObjectNode() : config.path("apply");
        Optional<KubernetesVersion> target = KubernetesVersion.parse(apply.path("kubernetesVersion").asText(""));
        if (target.isEmpty()) {
            return inv.fail(1, "missing one or more required arguments: [version]");
        }
        HostContext host = inv.host();
        String binary = host.host(h -> h.kubeadmVersion);
        KubernetesVersion kubeadm = KubernetesVersion.of(binary);
        String running = host.store().read(s -> s.kube == null ? null : s.kube.kubernetesVersion);
        if (running == null || !host.files().exists(ControlPlane.MANIFESTS + "/kube-apiserver.yaml")) {
            return inv.fail(1, "[upgrade/init config] FATAL: this is not a control-plane node (no "
                    + ControlPlane.MANIFESTS + "/kube-apiserver.yaml)");
        }
        KubernetesVersion current = KubernetesVersion.of(running);
        List<String> policy = new ArrayList<>();
        if (target.get().compareTo(kubeadm) > 0) {
            policy.add("Specified version to upgrade to \"" + target.get() + "\" is higher than the kubeadm version \""
                    + binary + "\". Upgrade kubeadm first using the tool you used to install kubeadm");
        }
        if (target.get().minor() > current.minor() + 1) {
            policy.add("Specified version to upgrade to \"" + target.get() + "\" is too high; kubeadm can upgrade only 1 "
                    + "minor version at a time");
        }
        if (target.get().compareTo(current) < 0) {
            policy.add("Specified version to upgrade to \"" + target.get() + "\" is equal to or lower than the cluster "
                    + "version \"" + current + "\". Downgrades are not supported yet");
        }
        if (!policy.isEmpty()) {
            inv.err().println("[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n");
            policy.forEach(p -> inv.err().println("\t- " + p));
            inv.err().println("\nCan be bypassed if you pass the --force flag");
            return 1;
        }
        List<String> preflight = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        apply.path("ignorePreflightErrors").forEach(n -> ignored.add(n.asText()));
        String notReady = host.store().read(s -> String.join(",", s.kube.nodes.values().stream()
                .filter(n -> n.controlPlane && !Nodes.ready(s, n)).map(n -> n.name).toList()));
        if (!notReady.isEmpty()) {
            preflight.add("ControlPlaneNodesReady]: there are NotReady control-planes in the cluster: [" + notReady + "]");
        }
        boolean createJobFails = host.store().update(s -> s.createJobFailures > 0 && s.createJobFailures-- > 0);
        if (createJobFails && !ignored.contains("CreateJob") && !ignored.contains("all")) {
            preflight.add("CreateJob]: Job \"upgrade-health-check-sim\" in the namespace \"kube-system\" did not "
                    + "complete in 15s: client rate limiter Wait returned an error: context deadline exceeded");
        }
        if (!preflight.isEmpty()) {
            return Kubeadm.preflightErrors(inv, preflight);
        }
        if (!yes && !apply.path("forceUpgrade").asBoolean(false)) {
            inv.out().print("[upgrade] Are you sure you want to proceed? [y/N]: ");
            return inv.fail(1, "won't proceed; the user didn't answer (Y|y) in order to continue");
        }
        upgradeManifests(inv, target.get().toString());
        storeVersion(host, target.get().toString());
        inv.out().println("[upgrade/successful] SUCCESS! Your cluster was upgraded to \"" + target.get()
                + "\". Enjoy!");
        return 0;
    }

    private static int node(Invocation inv) throws IOException {
        HostContext host = inv.host();
        String running = host.store().read(s -> s.kube == null ? null : s.kube.kubernetesVersion);
        if (running == null) {
            return inv.fail(1, "unable to fetch the kubeadm-config ConfigMap: the cluster is not reachable");
        }
        boolean master = host.files().exists(ControlPlane.MANIFESTS + "/kube-apiserver.yaml");
        if (master) {
            KubernetesVersion kubeadm = KubernetesVersion.of(host.host(h -> h.kubeadmVersion));
            if (KubernetesVersion.of(running).compareTo(kubeadm) > 0) {
                return inv.fail(1, "[upgrade/version] FATAL: the cluster version \"" + running + "\" is higher than "
                        + "the kubeadm version \"" + kubeadm + "\"; upgrade kubeadm first");
            }
            upgradeManifests(inv, running);
        }
        inv.out().println("[upgrade] The configuration for this node was successfully upgraded!");
        return 0;
    }

    /** Rewrites this master's component manifests at {@code version} from the stored configuration. */
    private static void upgradeManifests(Invocation inv, String version) throws IOException {
        HostContext host = inv.host();
        String storedYaml = host.store().read(s -> s.kube.clusterConfiguration);
        KubeadmConfig stored = KubeadmConfig.clusterOnly(storedYaml);
        ControlPlane.NodeSpec node = new ControlPlane.NodeSpec(host.hostname(), host.host(h -> h.ip),
                stored.apiServerCertSans(), stored.cluster("controlPlaneEndpoint").orElse(null),
                stored.cluster("clusterName").orElse("kubernetes"),
                stored.cluster("encryptionAlgorithm").orElse("RSA-2048"));
        HostFiles f = host.files();
        for (String component : StaticPods.COMPONENTS) {
            inv.out().println("[upgrade/staticpods] Writing new Static Pod manifests to \"" + ControlPlane.MANIFESTS
                    + "/" + component + ".yaml\" (" + version + ")");
            StaticPods.writeComponent(f, component, node, stored, version);
        }
        for (String component : StaticPods.COMPONENTS) {
            ControlPlane.componentRestarted(host, component);
        }
    }

    private static void storeVersion(HostContext host, String version) throws IOException {
        String yaml = host.store().read(s -> s.kube.clusterConfiguration);
        ObjectNode doc = (ObjectNode) YAML.readTree(yaml);
        doc.put("kubernetesVersion", version);
        String updated = YAML.writeValueAsString(doc);
        host.store().update(s -> {
            SimulationState.Kube k = s.kube;
            k.clusterConfiguration = updated;
            k.kubernetesVersion = version;
            k.revision++;
            return null;
        });
    }

    private static String unknownField(JsonNode config) {
        if (!"UpgradeConfiguration".equals(config.path("kind").asText())) {
            return "the config file has no UpgradeConfiguration (kind: " + config.path("kind").asText("none") + ")";
        }
        for (var group : List.of(List.<Object>of(config, TOP, ""), List.<Object>of(config.path("apply"), APPLY, "apply."),
                List.<Object>of(config.path("node"), NODE, "node."))) {
            JsonNode node = (JsonNode) group.get(0);
            @SuppressWarnings("unchecked")
            Set<String> known = (Set<String>) group.get(1);
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String name = it.next();
                if (!known.contains(name)) {
                    return "error unmarshaling configuration schema.GroupVersionKind{Group:\"kubeadm.k8s.io\", "
                            + "Version:\"v1beta4\", Kind:\"UpgradeConfiguration\"}: strict decoding error: unknown field "
                            + "\"" + group.get(2) + name + "\"";
                }
            }
        }
        return null;
    }

}
