package io.epiphany.systemtests.haproxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A stand-in API server on a loopback address: TLS, {@code /readyz} answers 200 (what HAProxy checks), any other path
 * answers 200 and counts as a client request. {@link #kill()} closes the listening socket: the next connection is
 * refused, as when a master's API server dies.
 */
final class TlsBackend implements AutoCloseable {
    private final SSLServerSocket server;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-backend");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger clientRequests = new AtomicInteger();

    TlsBackend(String ip, int port, Path keystore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 256);
        workers.submit(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                workers.submit(() -> serve(s));
            } catch (IOException e) {
                return; // closed by kill()
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
                // skip headers
            }
            if (!requestLine.contains(" /readyz")) {
                clientRequests.incrementAndGet();
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (SocketException e) {
            // the peer went away: nothing to answer
        } catch (IOException e) {
            // a failed handshake or read: the client sees it
        }
    }

    void kill() throws IOException {
        server.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
    }
}
