package io.epiphany.testkit.sim.kube;

import static io.epiphany.testkit.sim.kube.Kubeadm.ignored;
import static io.epiphany.testkit.sim.kube.Kubeadm.phaseError;
import static io.epiphany.testkit.sim.kube.Kubeadm.preflightErrors;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.RealOsMode;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code kubeadm init --config <file>}: preflight (root, versions, host, ports and files, images), the
 * shared and the node's PKI, kubeconfigs, static pod manifests, the first etcd member (or a restored snapshot's), the
 * Node, the kubeadm-config upload and the bootstrap tokens, with kubeadm's messages and its closing join hints.
 */
final class KubeadmInit extends KubeadmSubcommand {
    KubeadmInit(Invocation inv) {
        super(inv);
    }

    int run() throws IOException {
        inv.out().println("[init] Using Kubernetes version: " + host.host(h -> h.kubeadmVersion));
        KubeadmConfig config = preflightConfig();
        if (config == null) {
            return 1;
        }
        String kubeadmVersion = host.host(h -> h.kubeadmVersion);
        String wanted = config.cluster("kubernetesVersion").orElse(kubeadmVersion);
        Optional<String> tooOld = KubeadmReleases.refusal(kubeadmVersion, wanted);
        if (tooOld.isPresent()) {
            inv.err().println(tooOld.get());
            inv.err().println(Kubeadm.STACK_HINT);
            return 1;
        }
        KubeadmReleases.warning(kubeadmVersion, wanted)
                .ifPresent(w -> inv.out().println("\t[WARNING KubernetesVersion]: " + w));
        List<String> errors = new ArrayList<>();
        HostPreflight.check(inv, errors);
        HostPreflight.ipForward(inv, errors);
        HostPreflight.controlPlanePreflight(inv, errors);
        errors = ignored(inv, errors);
        if (!errors.isEmpty()) {
            return preflightErrors(inv, errors);
        }
        Optional<String> notPulled = ImagePull.duringPreflight(inv, config, wanted, true);
        if (notPulled.isPresent()) {
            return phaseError(inv, "preflight", "[preflight] Some fatal errors occurred:\n\t[ERROR ImagePull]: "
                    + notPulled.get());
        }
        Optional<String> kubeletDown = HostPreflight.kubeletWillNotStart(inv);
        if (kubeletDown.isPresent()) {
            return phaseError(inv, "wait-control-plane", kubeletDown.get());
        }
        boolean otherCluster = host.store().read(s -> s.kube != null
                && s.hosts.values().stream().anyMatch(h -> h.controlPlaneRunning));
        if (otherCluster) {
            return phaseError(inv, "preflight", "the SIMULATED fleet holds one cluster and it already exists "
                    + "(initialised on " + host.store().read(s -> s.kube.initHost) + ")");
        }
        JsonNode init = config.doc("InitConfiguration");
        String ip = host.host(h -> h.ip);
        String advertise = KubeadmConfig.text(init.path("localAPIEndpoint").path("advertiseAddress")).orElse(ip);
        String name = config.nodeName("InitConfiguration", host.hostname());
        String endpoint = config.cluster("controlPlaneEndpoint").orElse(null);
        String version = wanted;
        String algorithm = config.cluster("encryptionAlgorithm").orElse("RSA-2048");
        String clusterName = config.cluster("clusterName").orElse("kubernetes");
        List<String[]> tokens = new ArrayList<>();
        for (JsonNode t : init.path("bootstrapTokens")) {
            String token = t.path("token").asText("");
            if (!KubeadmTokens.TOKEN.matcher(token).matches()) {
                return phaseError(inv, "preflight", "bootstrapTokens[0].token: Invalid value: the bootstrap "
                        + "token is not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
            }
            tokens.add(new String[] {token, t.path("ttl").asText("24h0m0s")});
        }
        if (tokens.isEmpty()) {
            tokens.add(new String[] {io.epiphany.api.Secret.bootstrapToken().reveal(), "24h0m0s"});
        }
        Instant now = host.store().read(host::now);
        HostFiles f = host.files();
        ControlPlane.NodeSpec spec = new ControlPlane.NodeSpec(name, advertise, config.apiServerCertSans(),
                endpoint, clusterName, algorithm);
        // etcd started on a data dir that holds a member (a restored snapshot) serves its keyspace and membership
        JsonNode restored = EtcdSnapshots.restoredData(f, "/var/lib/etcd");
        inv.out().println("[certs] Using certificateDir folder \"/etc/kubernetes/pki\"");
        ControlPlane.ensureSharedPki(f, algorithm, now);
        ControlPlane.writeNodePki(f, spec, now);
        inv.out().println("[kubeconfig] Writing \"admin.conf\" kubeconfig file");
        ControlPlane.writeKubeconfigs(f, spec, true, now);
        inv.out().println("[etcd] Creating static Pod manifest for local etcd in \"/etc/kubernetes/manifests\"");
        ControlPlane.writeManifests(f, spec, config, version, List.of(name + "=https://" + advertise + ":2380"),
                false, host.store().read(s -> s.etcdVersion));
        f.write("/var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                + "kind: KubeletConfiguration\n", 0644);
        X509Certificate ca = ControlPlane.loadCa(f, "ca").certificate();
        String etcdCa = f.readString(ControlPlane.PKI + "/etcd/ca.crt");
        String clusterYaml = config.clusterConfigurationYaml(host.host(h -> h.kubeadmVersion));
        host.store().update(s -> {
            SimulationState.Kube k = new SimulationState.Kube();
            k.clusterName = clusterName;
            k.controlPlaneEndpoint = endpoint;
            k.kubernetesVersion = version;
            k.initHost = host.hostname();
            k.caCertPem = Pki.pem(ca);
            k.etcdCaCertPem = etcdCa;
            k.clusterConfiguration = clusterYaml;
            k.etcdClusterId = EtcdIds.newId("cluster " + clusterName + " " + advertise, 1, List.of());
            SimulationState.Member m = localMember(name, advertise);
            if (restored != null) {
                EtcdSnapshots.seed(k, restored);
                m.name = restored.path("member").path("name").asText(name);
                m.peerUrl = restored.path("member").path("peerUrl").asText(m.peerUrl);
            }
            m.id = EtcdIds.newMemberId(k, m);
            k.members.add(m);
            k.leaderId = m.id;
            k.history.add("member add " + m.name + " (initial cluster)");
            s.kube = k;
            SimulationState.Host h = s.hosts.get(host.hostname());
            h.active.add("kubelet");
            h.enabled.add("kubelet");
            return null;
        });
        inv.out().println("[kubelet-start] Starting the kubelet");
        RealOsMode.kubeletActive(true);
        ControlPlane.startStaticPods(host);
        List<String> missing = ControlPlane.missingApiserverFiles(f);
        if (!missing.isEmpty()) {
            return Kubeadm.apiserverRefused(inv, advertise);
        }
        host.store().update(s -> {
            s.kube.nodes.put(name, Nodes.node(name, host.hostname(), advertise, true,
                    config.taints("InitConfiguration", true), s.hosts.get(host.hostname()).installedKubelet(),
                    now));
            return null;
        });
        String apiUrl = "https://" + (endpoint == null ? advertise + ":6443" : endpoint);
        Optional<String> apiError = host.store().read(s -> ClusterAccess.apiError(s,
                ClusterAccess.route(s, host.hostname(), apiUrl),
                apiUrl + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s"));
        if (apiError.isPresent()) {
            return phaseError(inv, "upload-config/kubeadm", "could not upload the kubeadm-config ConfigMap: "
                    + apiError.get());
        }
        host.store().update(s -> {
            for (String[] t : tokens) {
                s.kube.tokens.add(KubeadmTokens.token(t[0], KubeadmTokens.durationSeconds(t[1]), now));
            }
            return null;
        });
        KubeletPki.issue(host, name, now);
        printInitDone(endpoint == null ? advertise + ":6443" : endpoint, tokens.get(0)[0], Pki.caCertHash(ca));
        return 0;
    }

    private void printInitDone(String endpoint, String token, String hash) {
        inv.out().println("\nYour Kubernetes control-plane has initialized successfully!\n");
        inv.out().println("You can now join any number of control-plane nodes by copying certificate authorities");
        inv.out().println("and service account keys on each node and then running the following as root:\n");
        inv.out().println("  kubeadm join " + endpoint + " --token " + token + " \\");
        inv.out().println("\t--discovery-token-ca-cert-hash " + hash + " \\");
        inv.out().println("\t--control-plane\n");
        inv.out().println("Then you can join any number of worker nodes by running the following on each as root:\n");
        inv.out().println("kubeadm join " + endpoint + " --token " + token + " \\");
        inv.out().println("\t--discovery-token-ca-cert-hash " + hash);
    }
}
