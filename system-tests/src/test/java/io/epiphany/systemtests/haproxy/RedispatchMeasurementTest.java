package io.epiphany.systemtests.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.epiphany.api.Cluster;
import io.epiphany.api.LoadBalancer;
import io.epiphany.api.Machine;
import io.epiphany.haproxy.HaproxyConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures what {@code retries 3} + {@code option redispatch} buy: real HAProxy with the rendered configuration in
 * front of three TLS stand-in masters on loopback addresses; one master dies (its port refuses connections) and 200
 * connections go through HAProxy before the health checks have marked it down. Counts failed connections with the
 * rendered configuration and with {@code option redispatch} removed, in the same run. Loopback traffic only.
 */
class RedispatchMeasurementTest {
    static final int CONNECTIONS = 200;
    static final int LB_PORT = 23446;
    /** The masters' addresses in the model (validation refuses loopback addresses for machines)... */
    static final List<String> MODEL_IPS = List.of("10.77.0.1", "10.77.0.2", "10.77.0.3");
    /** ...and where this test's stand-ins listen: loopback, so no traffic leaves the machine. */
    static final List<String> MASTER_IPS = List.of("127.77.0.1", "127.77.0.2", "127.77.0.3");
    static final char[] PASSWORD = "system-test-only".toCharArray();

    @Test
    void redispatchRetriesADeadMasterOnAnother(@TempDir Path dir) throws Exception {
        assertThat(HaproxyConfigCheckTest.HAPROXY).isExecutable();
        Path keystore = selfSignedKeystore(dir);
        Cluster cluster = Cluster.builder().name("measure")
                .masters(Machine.of("m1", MODEL_IPS.get(0)), Machine.of("m2", MODEL_IPS.get(1)),
                        Machine.of("m3", MODEL_IPS.get(2)))
                .loadBalancer(LoadBalancer.internal(LB_PORT)).build();
        String rendered = HaproxyConfig.render(cluster);
        for (int i = 0; i < MODEL_IPS.size(); i++) {
            rendered = rendered.replace(" " + MODEL_IPS.get(i) + ":", " " + MASTER_IPS.get(i) + ":");
        }
        assertThat(rendered).doesNotContain("10.77.");
        assertThat(rendered).contains("option redispatch");

        int withRedispatch = failuresAfterAMasterDies(dir, keystore, rendered);
        int withoutRedispatch = failuresAfterAMasterDies(dir, keystore, rendered.replace("    option redispatch\n", ""));
        System.out.printf("[measurement] failed connections of %d after a master died: %d with option redispatch, "
                + "%d without%n", CONNECTIONS, withRedispatch, withoutRedispatch);
        assertThat(withRedispatch).isZero();
        assertThat(withoutRedispatch).isPositive();
    }

    /** Starts HAProxy and three backends, kills the first backend, counts failed connections among the next 200. */
    private static int failuresAfterAMasterDies(Path dir, Path keystore, String config) throws Exception {
        Path cfg = dir.resolve("haproxy-" + System.nanoTime() + ".cfg");
        // The SDK's file drops privileges to the haproxy user; this measurement needs nothing from it.
        Files.writeString(cfg, config.replace("    user haproxy\n    group haproxy\n", ""));
        List<TlsBackend> backends = new ArrayList<>();
        Process haproxy = null;
        try {
            for (String ip : MASTER_IPS) {
                backends.add(new TlsBackend(ip, HaproxyConfig.API_SERVER_PORT, keystore, PASSWORD));
            }
            haproxy = new ProcessBuilder(HaproxyConfigCheckTest.HAPROXY.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            awaitEveryBackendServes(backends);
            backends.get(0).kill();
            int failed = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                if (!request()) {
                    failed++;
                }
            }
            return failed;
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
                if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                    haproxy.destroyForcibly();
                }
            }
            for (TlsBackend b : backends) {
                b.close();
            }
        }
    }

    /** Bounded: at most 20 s of requests until each backend served at least one. */
    private static void awaitEveryBackendServes(List<TlsBackend> backends) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (backends.stream().anyMatch(b -> b.clientRequests.get() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("HAProxy did not reach every backend in 20 s");
            }
            request();
            Thread.sleep(20);
        }
    }

    /** One TLS request through HAProxy; true on a 200. */
    private static boolean request() {
        try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", LB_PORT)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /version HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return status != null && status.startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            // Test-only: the stand-in masters have a throwaway self-signed certificate on loopback.
            tls.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return tls;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A throwaway key pair and self-signed certificate, made with the JDK's keytool. */
    private static Path selfSignedKeystore(Path dir) throws Exception {
        Path keystore = dir.resolve("backend.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "backend", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=stand-in-apiserver", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return keystore;
    }
}
