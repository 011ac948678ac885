package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parsers for what a control-plane host holds: static pod manifests, X.509 certificates, the encryption config. */
final class Manifests {
    static final String DIR = "/etc/kubernetes/manifests";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {}

    static String path(String component) {
        return DIR + "/" + component + ".yaml";
    }

    /** The first container's image and {@code --flag=value} words of a static pod manifest; empty if unparseable. */
    static Optional<Map.Entry<String, Map<String, String>>> imageAndFlags(byte[] manifest) {
        try {
            JsonNode container = YAML.readTree(manifest).path("spec").path("containers").path(0);
            Map<String, String> flags = new LinkedHashMap<>();
            List<String> words = new ArrayList<>();
            container.path("command").forEach(w -> words.add(w.asText()));
            container.path("args").forEach(w -> words.add(w.asText()));
            for (String w : words) {
                if (w.startsWith("--")) {
                    int eq = w.indexOf('=');
                    flags.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? "true" : w.substring(eq + 1));
                }
            }
            return Optional.of(Map.entry(container.path("image").asText(""), flags));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Expiry, DNS/IP names, subject and issuer of a PEM or DER certificate; empty when it does not parse. */
    static Optional<ControlPlaneFacts.Certificate> certificate(byte[] pem) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem));
            List<String> names = new ArrayList<>();
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress (RFC 5280 GeneralName tags)
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
            return Optional.of(new ControlPlaneFacts.Certificate(cert.getNotAfter().toInstant(), List.copyOf(names),
                    cert.getSubjectX500Principal().getName(), cert.getIssuerX500Principal().getName(),
                    cert.getBasicConstraints() >= 0));
        } catch (CertificateParsingException e) {
            return Optional.empty();
        } catch (CertificateException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** The first provider of an EncryptionConfiguration ({@code secretbox}, {@code aescbc}, {@code identity}...). */
    static Optional<String> encryptionProvider(byte[] config) {
        try {
            JsonNode providers = YAML.readTree(config).path("resources").path(0).path("providers");
            if (!providers.isArray() || providers.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(providers.get(0).fieldNames().next());
        } catch (IOException | java.util.NoSuchElementException e) {
            return Optional.empty();
        }
    }
}
