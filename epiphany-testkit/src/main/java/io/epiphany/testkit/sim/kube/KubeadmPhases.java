package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED {@code kubeadm init phase ...} of kubeadm's "reconfiguring a kubeadm cluster" procedure:
 * {@code upload-config kubeadm}, {@code control-plane apiserver|controller-manager|scheduler|all} and
 * {@code certs apiserver}, each with {@code --config <file>}. Phases run no preflight checks, as kubeadm's.
 */
final class KubeadmPhases {
    private static final String ADMIN_CONF = "/etc/kubernetes/admin.conf";

    private KubeadmPhases() {}

    static int run(Invocation inv) throws IOException {
        List<String> w = new ArrayList<>();
        List<String> a = inv.args();
        for (int i = 2; i < a.size(); i++) {
            if (a.get(i).equals("--config")) {
                i++;
            } else if (!a.get(i).startsWith("-")) {
                w.add(a.get(i));
            }
        }
        String phase = String.join(" ", w);
        List<String> components = switch (phase) {
            case "control-plane apiserver" -> List.of("kube-apiserver");
            case "control-plane controller-manager" -> List.of("kube-controller-manager");
            case "control-plane scheduler" -> List.of("kube-scheduler");
            case "control-plane all" -> StaticPods.COMPONENTS;
            default -> List.of();
        };
        if (!phase.equals("upload-config kubeadm") && !phase.equals("certs apiserver") && components.isEmpty()) {
            return inv.fail(1, "the SIMULATED kubeadm supports the init phases 'upload-config kubeadm', "
                    + "'control-plane apiserver|controller-manager|scheduler|all' and 'certs apiserver', not '"
                    + phase + "'");
        }
        String phasePath = w.get(0) + "/" + w.get(1);
        if (!inv.root()) {
            // the files involved are root's (admin.conf 0600, /etc/kubernetes/manifests, the PKI)
            String path = phase.startsWith("upload") ? ADMIN_CONF : phase.startsWith("certs")
                    ? ControlPlane.PKI + "/apiserver.crt" : ControlPlane.MANIFESTS + "/" + components.get(0) + ".yaml";
            return Kubeadm.phaseError(inv, phasePath, "open " + path + ": permission denied");
        }
        KubeadmConfig config = Kubeadm.readConfig(inv);
        if (config == null) {
            return 1;
        }
        if (phase.equals("upload-config kubeadm")) {
            return uploadConfig(inv, config);
        }
        ControlPlane.NodeSpec node = node(inv.host(), config);
        if (phase.equals("certs apiserver")) {
            return apiserverCertificate(inv, node);
        }
        String version = config.cluster("kubernetesVersion").orElse(inv.host().host(h -> h.kubeadmVersion));
        inv.out().println("[control-plane] Using manifest folder \"" + ControlPlane.MANIFESTS + "\"");
        for (String component : components) {
            inv.out().println("[control-plane] Creating static Pod manifest for \"" + component + "\"");
            StaticPods.writeComponent(inv.host().files(), component, node, config, version);
        }
        for (String component : components) {
            ControlPlane.componentRestarted(inv.host(), component); // the kubelet notices the changed manifest
        }
        return 0;
    }

    /** This host as the file describes it: its name and advertise address from InitConfiguration, or its own. */
    private static ControlPlane.NodeSpec node(HostContext host, KubeadmConfig config) {
        JsonNode init = config.doc("InitConfiguration");
        String ip = host.host(h -> h.ip);
        String advertise = KubeadmConfig.text(init.path("localAPIEndpoint").path("advertiseAddress")).orElse(ip);
        return new ControlPlane.NodeSpec(config.nodeName("InitConfiguration", host.hostname()), advertise,
                config.apiServerCertSans(), config.cluster("controlPlaneEndpoint").orElse(null),
                config.cluster("clusterName").orElse("kubernetes"),
                config.cluster("encryptionAlgorithm").orElse("RSA-2048"));
    }

    private static int uploadConfig(Invocation inv, KubeadmConfig config) throws IOException {
        HostContext host = inv.host();
        if (!host.files().exists(ADMIN_CONF)) {
            return Kubeadm.phaseError(inv, "upload-config/kubeadm", "couldn't create a Kubernetes client from file \""
                    + ADMIN_CONF + "\": failed to load admin kubeconfig: open " + ADMIN_CONF
                    + ": no such file or directory");
        }
        String server = ControlPlane.kubeconfigServer(host.files().readString(ADMIN_CONF));
        String yaml = config.clusterConfigurationYaml(host.host(h -> h.kubeadmVersion));
        KubeadmConfig stored = KubeadmConfig.clusterOnly(yaml);
        inv.out().println("[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the "
                + "\"kube-system\" Namespace");
        String error = host.store().update(s -> {
            String url = server + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s";
            Optional<String> e = s.kube == null ? Optional.of("Get \"" + url + "\": dial tcp: connect: connection "
                    + "refused") : ClusterAccess.apiError(s, ClusterAccess.route(s, host.hostname(), server), url);
            if (e.isPresent()) {
                return e.get();
            }
            SimulationState.Kube k = s.kube;
            k.clusterConfiguration = yaml;
            k.kubernetesVersion = stored.cluster("kubernetesVersion").orElse(k.kubernetesVersion);
            k.controlPlaneEndpoint = stored.cluster("controlPlaneEndpoint").orElse(null);
            k.revision++;
            return null;
        });
        if (error != null) {
            return Kubeadm.phaseError(inv, "upload-config/kubeadm", "error uploading the kubeadm ClusterConfiguration: "
                    + error);
        }
        return 0;
    }

    /**
     * kubeadm's certs phase keeps a certificate and key it can load that the CA signed, whatever their SANs: a new
     * one (new certSANs) needs the old files removed first.
     */
    private static int apiserverCertificate(Invocation inv, ControlPlane.NodeSpec node) throws IOException {
        HostFiles f = inv.host().files();
        String crt = ControlPlane.PKI + "/apiserver.crt";
        String key = ControlPlane.PKI + "/apiserver.key";
        inv.out().println("[certs] Using certificateDir folder \"" + ControlPlane.PKI + "\"");
        if (!f.exists(ControlPlane.PKI + "/ca.crt") || !f.exists(ControlPlane.PKI + "/ca.key")) {
            return Kubeadm.phaseError(inv, "certs/apiserver", "couldn't load CA certificate ca: open "
                    + ControlPlane.PKI + "/ca.crt: no such file or directory");
        }
        if (f.exists(crt) && f.exists(key)) {
            try {
                X509Certificate cert = Pki.readCertificate(f.readString(crt));
                cert.verify(ControlPlane.loadCa(f, "ca").certificate().getPublicKey());
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                return Kubeadm.phaseError(inv, "certs/apiserver", "[certs] certificate apiserver not signed by CA "
                        + "certificate ca: " + e.getMessage());
            }
            inv.out().println("[certs] Using existing apiserver certificate and key on disk");
            return 0;
        }
        if (f.exists(crt) || f.exists(key)) {
            String missing = f.exists(crt) ? key : crt;
            return Kubeadm.phaseError(inv, "certs/apiserver", "failure loading apiserver certificate: couldn't load "
                    + "the " + (missing.endsWith(".key") ? "private key" : "certificate") + " file " + missing
                    + ": open " + missing + ": no such file or directory");
        }
        Instant now = inv.host().store().read(inv.host()::now);
        inv.out().println("[certs] Generating \"apiserver\" certificate and key");
        List<List<String>> names = ControlPlane.writeApiserverCertificate(f, node, now);
        inv.out().println("[certs] apiserver serving cert is signed for DNS names [" + String.join(" ", names.get(0))
                + "] and IPs [" + String.join(" ", names.get(1)) + "]");
        return 0;
    }
}
