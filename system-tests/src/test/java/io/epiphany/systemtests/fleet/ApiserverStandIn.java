package io.epiphany.systemtests.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A stand-in for kube-apiserver on a real-OS fleet host (the real one cannot be installed here): a TLS server on
 * :6443 with a certificate issued by a CA, answering {@code GET /readyz}, {@code /livez} and {@code /healthz} with 200
 * "ok" the way the apiserver does, and {@code /epiphany-standin/name} with the host's name so tests can see which
 * backend a load balancer picked. Nothing else: every other path is 404.
 *
 * <p>Run inside a fleet host by {@code fleet.sh apiserver start HOST}:
 * {@code java ApiserverStandIn <bind address> <port> <cert PEM chain> <PKCS#8 key PEM> <name>}.
 */
public final class ApiserverStandIn {
    private ApiserverStandIn() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ApiserverStandIn <bind address> <port> <cert.pem> <key.pem> <name>");
            System.exit(2);
        }
        HttpsServer server = HttpsServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext(Path.of(args[2]), Path.of(args[3]))));
        String name = args[4];
        server.createContext("/", exchange -> answer(exchange, name));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("apiserver stand-in " + name + " listening on " + args[0] + ":" + args[1]);
    }

    private static void answer(HttpExchange exchange, String name) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int status;
        String body;
        if (!"GET".equals(exchange.getRequestMethod())) {
            status = 405;
            body = "method not allowed";
        } else if (path.equals("/readyz") || path.equals("/livez") || path.equals("/healthz")) {
            status = 200;
            body = "ok";
        } else if (path.equals("/epiphany-standin/name")) {
            status = 200;
            body = name;
        } else {
            status = 404;
            body = "not found";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static SSLContext sslContext(Path certPem, Path keyPem) throws Exception {
        Collection<? extends Certificate> chain;
        try (var in = Files.newInputStream(certPem)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        PrivateKey key = privateKey(Files.readString(keyPem));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = new char[0];
        store.setKeyEntry("apiserver", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /** Reads an unencrypted PEM key in either form kubeadm and openssl write (PKCS#1 "RSA/EC PRIVATE KEY" or PKCS#8). */
    private static PrivateKey privateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("no unencrypted private key in the key file (found "
                    + (object == null ? "nothing" : object.getClass().getSimpleName()) + ")");
        }
    }
}
