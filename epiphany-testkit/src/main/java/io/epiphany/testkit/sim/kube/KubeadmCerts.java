package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * SIMULATED {@code kubeadm certs renew all [--config <file>]}: kubeadm's renewal of this node's leaf certificates and
 * kubeconfig-embedded client certificates from the CAs under {@code /etc/kubernetes/pki} (k/k
 * {@code cmd/kubeadm/app/phases/certs/renewal}). As kubeadm: the existing certificate is the source of its subject,
 * organisations, names and usages; a new key is made (pkiutil.NewCertAndKey) and the certificate is valid for a year
 * from now (the fleet's clock); a missing one prints {@code MISSING!}; CAs are never renewed. It needs no API server:
 * with {@code --config} the configuration comes from the file. Restarting the static pods is left to the caller, as
 * kubeadm says.
 */
final class KubeadmCerts {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String PKI = ControlPlane.PKI;

    /** A renewable certificate: kubeadm's name, its file (or kubeconfig), its CA, and kubeadm's long name. */
    private record Renewable(String name, String file, String ca, boolean kubeconfig, String longName) {}

    private static final List<Renewable> ALL = List.of(
            new Renewable("admin.conf", "/etc/kubernetes/admin.conf", "ca", true,
                    "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself"),
            new Renewable("apiserver", PKI + "/apiserver", "ca", false, "certificate for serving the Kubernetes API"),
            new Renewable("apiserver-etcd-client", PKI + "/apiserver-etcd-client", "etcd/ca", false,
                    "certificate the apiserver uses to access etcd"),
            new Renewable("apiserver-kubelet-client", PKI + "/apiserver-kubelet-client", "ca", false,
                    "certificate for the API server to connect to kubelet"),
            new Renewable("controller-manager.conf", "/etc/kubernetes/controller-manager.conf", "ca", true,
                    "certificate embedded in the kubeconfig file for the controller manager to use"),
            new Renewable("etcd-healthcheck-client", PKI + "/etcd/healthcheck-client", "etcd/ca", false,
                    "certificate for liveness probes to healthcheck etcd"),
            new Renewable("etcd-peer", PKI + "/etcd/peer", "etcd/ca", false,
                    "certificate for etcd nodes to communicate with each other"),
            new Renewable("etcd-server", PKI + "/etcd/server", "etcd/ca", false, "certificate for serving etcd"),
            new Renewable("front-proxy-client", PKI + "/front-proxy-client", "front-proxy-ca", false,
                    "certificate for the front proxy client"),
            new Renewable("scheduler.conf", "/etc/kubernetes/scheduler.conf", "ca", true,
                    "certificate embedded in the kubeconfig file for the scheduler manager to use"),
            new Renewable("super-admin.conf", "/etc/kubernetes/super-admin.conf", "ca", true,
                    "certificate embedded in the kubeconfig file for the super-admin"));

    private KubeadmCerts() {}

    static int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.size() < 3 || !a.get(1).equals("renew") || !a.get(2).equals("all")) {
            return inv.fail(1, "the SIMULATED kubeadm supports only 'kubeadm certs renew all [--config <file>]'");
        }
        if (!inv.root()) {
            return Kubeadm.phaseError(inv, "renew", "open " + PKI + "/ca.key: permission denied");
        }
        if (Kubeadm.option(a, "--config").isPresent()) {
            if (Kubeadm.readConfig(inv) == null) {
                return 1;
            }
        } else {
            inv.out().println("[renew] Reading configuration from the cluster...");
        }
        HostFiles f = inv.host().files();
        Instant now = inv.host().store().read(inv.host()::now);
        for (Renewable r : ALL) {
            String path = r.kubeconfig() ? r.file() : r.file() + ".crt";
            if (!f.exists(path)) {
                inv.out().println("MISSING! " + r.longName());
                continue;
            }
            Pki.Issued ca = ControlPlane.loadCa(f, r.ca());
            if (r.kubeconfig()) {
                ObjectNode doc = (ObjectNode) YAML.readTree(f.readString(path));
                ObjectNode user = (ObjectNode) doc.path("users").path(0).path("user");
                X509Certificate old = Pki.readCertificate(decode(user.path("client-certificate-data").asText()));
                Pki.Issued renewed = reissue(old, ca, now);
                user.put("client-certificate-data", encode(Pki.pem(renewed.certificate())));
                user.put("client-key-data", encode(Pki.pem(renewed.key().getPrivate())));
                f.write(path, YAML.writeValueAsString(doc), 0600);
            } else {
                Pki.Issued renewed = reissue(Pki.readCertificate(f.readString(path)), ca, now);
                f.write(path, Pki.pem(renewed.certificate()), 0644);
                f.write(r.file() + ".key", Pki.pem(renewed.key().getPrivate()), 0600);
            }
            inv.out().println(r.longName() + " renewed");
        }
        inv.out().println();
        inv.out().println("Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, "
                + "kube-scheduler and etcd, so that they can use the new certificates.");
        return 0;
    }

    /** The same subject, names and usages, a new key of the same algorithm, a year from {@code now}. */
    private static Pki.Issued reissue(X509Certificate old, Pki.Issued ca, Instant now) throws IOException {
        X500Name subject = X500Name.getInstance(old.getSubjectX500Principal().getEncoded());
        String cn = "";
        List<String> orgs = new ArrayList<>();
        for (RDN rdn : subject.getRDNs()) {
            String value = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (rdn.getFirst().getType().equals(BCStyle.CN)) {
                cn = value;
            } else if (rdn.getFirst().getType().equals(BCStyle.O)) {
                orgs.add(value);
            }
        }
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> usages = new ArrayList<>();
        try {
            Collection<List<?>> sans = old.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    ((Integer) san.get(0) == 2 ? dns : ips).add(String.valueOf(san.get(1)));
                }
            }
            List<String> eku = old.getExtendedKeyUsage();
            if (eku != null && eku.contains("1.3.6.1.5.5.7.3.1")) {
                usages.add("server");
            }
            if (eku != null && eku.contains("1.3.6.1.5.5.7.3.2")) {
                usages.add("client");
            }
        } catch (CertificateParsingException e) {
            throw new IOException(e.getMessage(), e);
        }
        return Pki.leaf(cn, orgs, ca, dns, ips, usages, algorithm(old.getPublicKey()), now);
    }

    private static String algorithm(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return "RSA-" + rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize() > 256 ? "ECDSA-P384" : "ECDSA-P256";
        }
        return "RSA-2048";
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    private static String encode(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }
}
