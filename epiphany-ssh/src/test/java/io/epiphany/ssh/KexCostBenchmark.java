package io.epiphany.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * What one key exchange costs in MINA SSHD, for the choice of {@code SshSettings.DEFAULT_KEY_EXCHANGE}: a MINA server
 * and a MINA client in this JVM on 127.0.0.1 (no other traffic), connect + exchange + password auth, the exchanges
 * named on the command line in turn (interleaved), 5 discarded warm-up rounds, then 40 timed ones; both sides' work is
 * in the figure. A harness, not a test. Rerun: see BENCHMARKS.md, "Key exchange".
 */
public final class KexCostBenchmark {
    private static final int WARM_UP = 5;
    private static final int ROUNDS = 40;

    private KexCostBenchmark() {}

    public static void main(String[] names) throws Exception {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider();
        hostKey.setAlgorithm("EC");
        hostKey.setKeySize(256);
        server.setKeyPairProvider(hostKey);
        server.setPasswordAuthenticator((user, password, session) -> true);
        server.start();
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        Map<String, List<Long>> micros = new LinkedHashMap<>();
        try {
            for (int r = 0; r < WARM_UP + ROUNDS; r++) {
                for (String name : names) {
                    DHFactory f = BuiltinDHFactories.fromFactoryName(name);
                    server.setKeyExchangeFactories(List.of(ServerBuilder.DH2KEX.apply(f)));
                    client.setKeyExchangeFactories(List.of(ClientBuilder.DH2KEX.apply(f)));
                    long start = System.nanoTime();
                    try (ClientSession s = client.connect("u", "127.0.0.1", server.getPort()).verify(10_000)
                            .getSession()) {
                        s.addPasswordIdentity("x");
                        s.auth().verify(10_000);
                        if (r >= WARM_UP) {
                            micros.computeIfAbsent(name, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1000);
                        }
                    }
                }
            }
        } finally {
            client.stop();
            server.stop();
        }
        micros.forEach((name, values) -> {
            List<Long> sorted = values.stream().sorted().toList();
            System.out.printf("%-28s median %6.1f ms  min %6.1f  max %6.1f%n", name,
                    sorted.get(sorted.size() / 2) / 1000.0, sorted.get(0) / 1000.0,
                    sorted.get(sorted.size() - 1) / 1000.0);
        });
    }
}
