package io.epiphany.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.epiphany.api.Certificates;
import io.epiphany.api.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epiphany certificates}: every certificate of the cluster with its expiry; read-only. */
@Command(name = "certificates", mixinStandardHelpOptions = true,
        description = "Read every certificate on every master (kubeadm's PKI, CAs included, and its kubeconfigs' "
                + "client certificates) and each machine's kubelet client certificate, parsed by the SDK: host, "
                + "name, expiry, days left, issuer. Read-only; exits 3 when one has expired or a host could not be "
                + "read.")
final class CertificatesCommand extends ClusterCommand {
    /** How the certificates are printed. */
    enum Format { text, json }

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json: {readAt, certificates: [{host, name, path, subject, issuer, "
                    + "notAfter, daysLeft, authority, names}], unreadable: {host: why}}.")
    Format output;

    CertificatesCommand(Terminal term) {
        super(term);
    }

    @Override
    int run(Cluster described) {
        boolean json = output == Format.json;
        Certificates certs = onRunningCluster(described, json ? term.err() : term.out(),
                s -> s.cluster().certificates(s.options()));
        if (json) {
            term.out().println(json(certs));
        } else {
            term.out().print(table(certs));
        }
        term.out().flush();
        boolean expired = certs.all().stream().anyMatch(Certificates.Certificate::expired);
        return expired || !certs.unreadable().isEmpty() ? Failures.FAILED_ON_HOST : Failures.DONE;
    }

    static String table(Certificates certs) {
        StringBuilder b = new StringBuilder(String.format("%-16s %-34s %-20s %6s %-3s %s%n", "HOST", "NAME",
                "EXPIRES", "DAYS", "CA", "ISSUER"));
        for (Certificates.Certificate c : certs.all()) {
            b.append(String.format("%-16s %-34s %-20s %6d %-3s %s%n", c.host(), c.name(), c.notAfter(), c.daysLeft(),
                    c.authority() ? "yes" : "", c.issuer()));
        }
        certs.unreadable().forEach((host, why) -> b.append("UNREADABLE ").append(host).append(": ").append(why)
                .append('\n'));
        return b.toString();
    }

    private static String json(Certificates certs) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var root = mapper.createObjectNode();
        root.put("readAt", certs.readAt().toString());
        ArrayNode all = root.putArray("certificates");
        for (Certificates.Certificate c : certs.all()) {
            var o = all.addObject().put("host", c.host()).put("name", c.name()).put("path", c.path())
                    .put("subject", c.subject()).put("issuer", c.issuer()).put("notAfter", c.notAfter().toString())
                    .put("daysLeft", c.daysLeft()).put("authority", c.authority());
            c.names().forEach(o.putArray("names")::add);
        }
        var unreadable = root.putObject("unreadable");
        certs.unreadable().forEach(unreadable::put);
        try {
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }
}
