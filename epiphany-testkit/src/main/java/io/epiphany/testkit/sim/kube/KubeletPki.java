package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The kubelet's client certificate, {@code /var/lib/kubelet/pki/kubelet-client-current.pem} (certificate then key in
 * one file, 0600, as the kubelet writes it): after TLS bootstrap the kubelet's CSR for {@code system:node:<name>} in
 * {@code system:nodes} is signed by the controller-manager with the cluster CA and valid for a year. SIMULATED: the
 * CSR round trip is instantaneous; the signer's key is the cluster CA's, kept in the fleet state.
 */
public final class KubeletPki {
    public static final String CLIENT_CURRENT = "/var/lib/kubelet/pki/kubelet-client-current.pem";

    private KubeletPki() {}

    /** Issues the node's client certificate; a master's own ca.key becomes the cluster's signer if none is known. */
    static void issue(HostContext host, String node, Instant now) throws IOException {
        HostFiles f = host.files();
        String caKey = f.exists(ControlPlane.PKI + "/ca.key") ? f.readString(ControlPlane.PKI + "/ca.key") : null;
        String[] signer = host.store().update(s -> {
            if (s.kube.clientSignerKeyPem == null && caKey != null) {
                s.kube.clientSignerKeyPem = caKey;
            }
            return new String[] {s.kube.caCertPem, s.kube.clientSignerKeyPem};
        });
        if (signer[0] == null || signer[1] == null) {
            return; // no signer yet: the kubelet keeps its bootstrap credentials (nothing to write)
        }
        X509Certificate ca = Pki.readCertificate(signer[0]);
        Pki.Issued caIssued = new Pki.Issued(ca, Pki.readKeyPair(signer[1], ca));
        Pki.Issued client = Pki.leaf("system:node:" + node, List.of("system:nodes"), caIssued, List.of(), List.of(),
                List.of("client"), "ECDSA-P256", now);
        f.mkdirs("/var/lib/kubelet/pki");
        f.write(CLIENT_CURRENT, Pki.pem(client.certificate()) + Pki.pem(client.key().getPrivate()), 0600);
    }
}
