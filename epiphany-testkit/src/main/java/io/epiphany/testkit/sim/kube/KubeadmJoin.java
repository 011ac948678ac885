package io.epiphany.testkit.sim.kube;

import static io.epiphany.testkit.sim.kube.Kubeadm.phaseError;
import static io.epiphany.testkit.sim.kube.Kubeadm.preflightErrors;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code kubeadm join --config <file>}: preflight, token discovery (the cluster-info signature, CA pinning,
 * the token's own access to kubeadm-config), the Ready-Node-of-that-name check and a worker's join; a control-plane
 * join goes on in {@link KubeadmJoinControlPlane}.
 */
final class KubeadmJoin extends KubeadmSubcommand {
    KubeadmJoin(Invocation inv) {
        super(inv);
    }

    int run() throws IOException {
        KubeadmConfig config = preflightConfig();
        if (config == null) {
            return 1;
        }
        if (!config.has("JoinConfiguration")) {
            return phaseError(inv, "preflight", "the config file has no JoinConfiguration");
        }
        JsonNode join = config.doc("JoinConfiguration");
        boolean controlPlane = !join.path("controlPlane").isMissingNode() || inv.args().contains("--control-plane");
        HostFiles f = host.files();
        List<String> errors = new ArrayList<>();
        HostPreflight.check(inv, errors);
        HostPreflight.ipForward(inv, errors);
        if (f.exists("/etc/kubernetes/kubelet.conf")) {
            errors.add("FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists");
        }
        if (controlPlane) {
            HostPreflight.controlPlanePreflight(inv, errors);
        } else {
            if (host.host(h -> h.active.contains("kubelet"))) {
                errors.add("Port-10250]: Port 10250 is in use");
            }
            if (f.exists(ControlPlane.PKI + "/ca.crt")) {
                errors.add("FileAvailable--etc-kubernetes-pki-ca.crt]: /etc/kubernetes/pki/ca.crt already exists");
            }
        }
        if (!errors.isEmpty()) {
            return preflightErrors(inv, errors);
        }
        String cluster = host.store().read(s -> s.kube == null ? null : s.kube.clusterConfiguration);
        if (cluster != null) {
            Optional<String> notPulled = ImagePull.duringPreflight(inv, KubeadmConfig.clusterOnly(cluster),
                    host.store().read(s -> s.kube.kubernetesVersion), controlPlane);
            if (notPulled.isPresent()) {
                return phaseError(inv, "preflight", "[preflight] Some fatal errors occurred:\n\t[ERROR "
                        + "ImagePull]: " + notPulled.get());
            }
        }
        Optional<String> kubeletDown = HostPreflight.kubeletWillNotStart(inv);
        if (kubeletDown.isPresent()) {
            return phaseError(inv, "kubelet-start", kubeletDown.get());
        }
        JsonNode bootstrap = join.path("discovery").path("bootstrapToken");
        String endpoint = bootstrap.path("apiServerEndpoint").asText("");
        String token = bootstrap.path("token").asText("");
        boolean unsafe = bootstrap.path("unsafeSkipCAVerification").asBoolean(false);
        List<String> pins = new ArrayList<>();
        bootstrap.path("caCertHashes").forEach(n -> pins.add(n.asText()));
        if (!KubeadmTokens.TOKEN.matcher(token).matches()) {
            return phaseError(inv, "preflight", "discovery.bootstrapToken.token: Invalid value: the bootstrap "
                    + "token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
        }
        if (pins.isEmpty() && !unsafe) {
            return phaseError(inv, "preflight", "discovery.bootstrapToken: Invalid value: \"\": using token-based "
                    + "discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in "
                    + "your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to "
                    + "continue");
        }
        String url = "https://" + endpoint + "/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s";
        Instant now = host.store().read(host::now);
        String identity = host.store().read(s -> {
            if (s.kube == null) {
                return "Get \"" + url + "\": dial tcp " + endpoint.replace("localhost", "127.0.0.1")
                        + ": connect: connection refused";
            }
            Optional<String> apiError = ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(),
                    "https://" + endpoint), url);
            if (apiError.isPresent()) {
                return apiError.get();
            }
            if (!KubeadmTokens.tokenValid(s, token, now)) {
                return "could not find a JWS signature in the cluster-info ConfigMap for token ID \""
                        + token.substring(0, 6) + "\"";
            }
            return null;
        });
        if (identity != null) {
            return phaseError(inv, "preflight", "couldn't validate the identity of the API Server: " + identity);
        }
        String caPem = host.store().read(s -> s.kube.caCertPem);
        String actual = Pki.caCertHash(Pki.readCertificate(caPem));
        if (!unsafe && !pins.contains(actual)) {
            return phaseError(inv, "preflight", "couldn't validate the identity of the API Server: cluster CA "
                    + "found in cluster-info ConfigMap is invalid: none of the public keys \"" + actual
                    + "\" are pinned");
        }
        inv.out().println("[preflight] Reading configuration from the cluster...");
        String refused = host.store().read(s -> KubeadmTokens.tokenRefused(s, token, now));
        if (refused != null) {
            return phaseError(inv, "preflight", "unable to fetch the kubeadm-config ConfigMap: " + refused);
        }
        // kubeadm join loads the cluster's ClusterConfiguration and normalises its version like init does
        // (cmd/kubeadm/app/cmd/join.go wraps the error as below).
        Optional<String> clusterTooOld = KubeadmReleases.refusal(host.host(h -> h.kubeadmVersion),
                host.store().read(s -> s.kube.kubernetesVersion));
        if (clusterTooOld.isPresent()) {
            return phaseError(inv, "preflight", "unable to fetch the kubeadm-config ConfigMap: "
                    + clusterTooOld.get());
        }
        String name = config.nodeName("JoinConfiguration", host.hostname());
        if (controlPlane) {
            Optional<String> notReady = KubeadmJoinControlPlane.notReady(host, f, caPem);
            if (notReady.isPresent()) {
                return phaseError(inv, "preflight", "\nOne or more conditions for hosting a new control plane "
                        + "instance is not satisfied.\n\n" + notReady.get() + "\n\nPlease ensure that:\n"
                        + "* The cluster has a stable controlPlaneEndpoint address.\n"
                        + "* The certificates that must be shared among control plane instances are provided.\n");
            }
        }
        // only a Ready Node of that name stops the join; the message names the condition type, not its status
        // (cmd/kubeadm/app/cmd/phases/join/kubelet.go: cond.Type == NodeReady && cond.Status == True); a
        // NotReady one is taken over by the joining kubelet
        boolean readyNodeExists = host.store().read(s -> s.kube.nodes.containsKey(name)
                && Nodes.ready(s, s.kube.nodes.get(name)));
        if (readyNodeExists) {
            return phaseError(inv, "kubelet-start", "a Node with name \"" + name + "\" and status \"Ready\" "
                    + "already exists in the cluster. You must delete the existing Node or change the name "
                    + "of this new joining Node");
        }
        String version = host.store().read(s -> s.kube.kubernetesVersion);
        String ip = host.host(h -> h.ip);
        if (controlPlane) {
            String advertise = KubeadmConfig.text(join.path("controlPlane").path("localAPIEndpoint")
                    .path("advertiseAddress")).orElse(ip);
            return new KubeadmJoinControlPlane(inv).run(config, name, advertise, version, now);
        }
        String clusterName = host.store().read(s -> s.kube.clusterName);
        ControlPlane.writeWorkerKubeconfig(f, clusterName, endpoint, caPem, name);
        KubeletPki.issue(host, name, now);
        f.write("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                + "kind: KubeletConfiguration\n", 0644);
        host.store().update(s -> {
            SimulationState.Host h = s.hosts.get(host.hostname());
            h.active.add("kubelet");
            h.enabled.add("kubelet");
            s.kube.nodes.put(name, Nodes.node(name, host.hostname(), ip, false, config.taints("JoinConfiguration",
                    false), h.installedKubelet(), now));
            return null;
        });
        RealOsMode.kubeletActive(true);
        inv.out().println("\nThis node has joined the cluster:");
        inv.out().println("* Certificate signing request was sent to apiserver and a response was received.");
        inv.out().println("* The Kubelet was informed of the new secure connection details.\n");
        inv.out().println("Run 'kubectl get nodes' on the control-plane to see this node join the cluster.");
        return 0;
    }
}
