package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.epiphany.testkit.sim.HostContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;

/**
 * The SIMULATED API server's check of a client certificate: one whose notAfter is before the fleet's clock is
 * refused, as kube-apiserver's x509 authenticator does ("x509: certificate has expired or is not yet valid"), which
 * kubectl reports as {@code error: You must be logged in to the server (Unauthorized)}.
 */
final class ClientCertificates {
    static final String UNAUTHORIZED = "error: You must be logged in to the server (Unauthorized)";
    private static final YAMLMapper YAML = new YAMLMapper();

    private ClientCertificates() {}

    /** The kubeconfig's client certificate (embedded or a file) expired by the fleet's clock. */
    static boolean expired(HostContext host, String kubeconfig) throws IOException {
        JsonNode user = YAML.readTree(kubeconfig).path("users").path(0).path("user");
        String pem;
        if (user.path("client-certificate-data").isTextual()) {
            pem = new String(Base64.getDecoder().decode(user.path("client-certificate-data").asText()),
                    StandardCharsets.UTF_8);
        } else if (user.path("client-certificate").isTextual() && host.files().exists(user.path("client-certificate")
                .asText())) {
            pem = host.files().readString(user.path("client-certificate").asText());
        } else {
            return false; // token or no credentials: not a certificate to check
        }
        X509Certificate cert = Pki.readCertificate(pem);
        Instant now = host.store().read(host::now);
        return cert.getNotAfter().toInstant().isBefore(now);
    }
}
