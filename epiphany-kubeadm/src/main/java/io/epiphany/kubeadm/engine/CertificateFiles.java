package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.epiphany.api.Cluster;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the certificates of a kubeadm machine are and how the SDK reads them: the PKI files of a master, the client
 * certificates embedded in its kubeconfigs, and the kubelet's client certificate. Only the certificate is parsed: the
 * bytes of a file that also holds a private key (a kubeconfig, {@code kubelet-client-current.pem}) are cleared as
 * soon as the certificate block is taken out, and no key ever leaves this class.
 */
final class CertificateFiles {
    /** Kubeconfigs whose embedded client certificate {@code kubeadm certs renew all} renews (kubelet.conf is not). */
    static final List<String> KUBECONFIGS = List.of("admin.conf", "super-admin.conf", "controller-manager.conf",
            "scheduler.conf");
    /** The kubelet's own client certificate: rotated by the kubelet, not by kubeadm. */
    static final String KUBELET_CLIENT = "/var/lib/kubelet/pki/kubelet-client-current.pem";
    static final String KUBELET_CLIENT_NAME = "kubelet-client-current.pem";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    private CertificateFiles() {}

    /** The file of a master certificate by its kubeadm name (relative to certificatesDir, or a kubeconfig's name). */
    static String path(Cluster cluster, String name) {
        return KUBECONFIGS.contains(name) ? "/etc/kubernetes/" + name : KubePaths.pki(cluster, name);
    }

    /** Every certificate of a master by name: {@link HostFactsReader#CERTIFICATES}, then {@link #KUBECONFIGS}. */
    static Map<String, ControlPlaneFacts.Certificate> master(Cluster cluster, RemoteHost h) {
        Map<String, ControlPlaneFacts.Certificate> out = new LinkedHashMap<>();
        for (String name : HostFactsReader.CERTIFICATES) {
            h.read(path(cluster, name)).flatMap(Manifests::certificate).ifPresent(c -> out.put(name, c));
        }
        for (String name : KUBECONFIGS) {
            h.read(path(cluster, name)).flatMap(CertificateFiles::fromKubeconfig).ifPresent(c -> out.put(name, c));
        }
        return out;
    }

    /** The key of a kubeconfig's embedded client certificate: the one line of the file the facts script reads. */
    static final String CERTIFICATE_DATA = "client-certificate-data:";

    /**
     * The queries of {@link #master(Cluster, FactsScript.Result)}: each PKI certificate's file, and of each kubeconfig
     * only its certificate line (the file also holds the client key, which never leaves the host).
     */
    static void queries(Cluster cluster, FactsScript s) {
        for (String name : HostFactsReader.CERTIFICATES) {
            s.cat(path(cluster, name));
        }
        for (String name : KUBECONFIGS) {
            s.grep(CERTIFICATE_DATA, path(cluster, name));
        }
    }

    /** {@link #master(Cluster, RemoteHost)} from what the facts script printed. */
    static Map<String, ControlPlaneFacts.Certificate> master(Cluster cluster, FactsScript.Result r) {
        Map<String, ControlPlaneFacts.Certificate> out = new LinkedHashMap<>();
        for (String name : HostFactsReader.CERTIFICATES) {
            r.file(path(cluster, name)).flatMap(Manifests::certificate).ifPresent(c -> out.put(name, c));
        }
        for (String name : KUBECONFIGS) {
            r.grep(path(cluster, name)).flatMap(CertificateFiles::fromCertificateLine).ifPresent(c -> out.put(name, c));
        }
        return out;
    }

    /** {@code client-certificate-data: <base64 PEM>}, as kubeadm writes it in a kubeconfig's one user. */
    static Optional<ControlPlaneFacts.Certificate> fromCertificateLine(String line) {
        int at = line.indexOf(CERTIFICATE_DATA);
        if (at < 0) {
            return Optional.empty();
        }
        try {
            return Manifests.certificate(Base64.getDecoder().decode(line.substring(at + CERTIFICATE_DATA.length())
                    .strip().replaceAll("^[\"']|[\"']$", "")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The kubelet's client certificate on a machine, if it has one. */
    static Optional<ControlPlaneFacts.Certificate> kubeletClient(RemoteHost h) {
        return h.read(KUBELET_CLIENT).flatMap(CertificateFiles::firstCertificate);
    }

    /** The first user's embedded {@code client-certificate-data}; the kubeconfig's bytes are cleared. */
    static Optional<ControlPlaneFacts.Certificate> fromKubeconfig(byte[] kubeconfig) {
        try {
            JsonNode data = YAML.readTree(kubeconfig).path("users").path(0).path("user")
                    .path("client-certificate-data");
            if (!data.isTextual()) {
                return Optional.empty();
            }
            return Manifests.certificate(Base64.getDecoder().decode(data.asText().trim()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(kubeconfig, (byte) 0);
        }
    }

    /** The first PEM certificate block of a file that may also hold a key; the file's bytes are cleared. */
    static Optional<ControlPlaneFacts.Certificate> firstCertificate(byte[] pem) {
        try {
            String text = new String(pem, StandardCharsets.US_ASCII);
            int begin = text.indexOf(BEGIN);
            int end = begin < 0 ? -1 : text.indexOf(END, begin);
            if (end < 0) {
                return Optional.empty();
            }
            return Manifests.certificate(text.substring(begin, end + END.length()).getBytes(StandardCharsets.US_ASCII));
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }
}
