package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parsed entries are kept between lookups, and never outlive the text they came from. */
class KnownHostsTest {
    @TempDir
    Path dir;

    private static String line(String host, KeyPair key) {
        return host + " " + PublicKeyEntry.toString(key.getPublic()) + "\n";
    }

    @Test
    void anEditBetweenLookupsIsSeenEvenWhenTheFileKeepsItsLength() throws Exception {
        Path file = dir.resolve("known_hosts");
        KeyPair first = TestKeys.ed25519();
        KeyPair second = TestKeys.ed25519();
        Files.writeString(file, line("10.0.0.1", first) + line("10.0.0.2", second));
        KnownHosts hosts = new KnownHosts(file);
        assertThat(KeyUtils.compareKeys(hosts.lookup("10.0.0.1", 22).keys().get(0), first.getPublic())).isTrue();

        // another tool swaps the two hosts' keys: same bytes, other order, same length
        Files.writeString(file, line("10.0.0.1", second) + line("10.0.0.2", first));
        assertThat(KeyUtils.compareKeys(hosts.lookup("10.0.0.1", 22).keys().get(0), second.getPublic())).isTrue();
        assertThat(new KnownHosts(file).lookup("10.0.0.2", 22).keys()).hasSize(1)
                .allMatch(k -> KeyUtils.compareKeys(k, first.getPublic()));

        Files.writeString(file, "@revoked " + line("10.0.0.1", second));
        KnownHosts.Lookup revoked = hosts.lookup("10.0.0.1", 22);
        assertThat(revoked.known()).isFalse();
        assertThat(revoked.revoked()).hasSize(1);
        Files.delete(file);
        assertThat(hosts.lookup("10.0.0.1", 22).known()).as("the file is gone").isFalse();
    }

    @Test
    void concurrentLookupsAndAnAppendAgree() throws Exception {
        Path file = dir.resolve("known_hosts");
        KeyPair key = TestKeys.ed25519();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append(line("10.0.1." + i, key));
        }
        Files.writeString(file, text);
        KnownHosts hosts = new KnownHosts(file);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> found = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String host = "10.0.1." + i;
                found.add(pool.submit(() -> hosts.lookup(host, 22).known()));
            }
            Future<?> added = pool.submit(() -> {
                hosts.add("10.0.2.1", 22, key.getPublic());
                return null;
            });
            for (Future<Boolean> f : found) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
            }
            added.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(hosts.lookup("10.0.2.1", 22).known()).as("the appended host").isTrue();
        assertThat(hosts.lookup("10.0.3.1", 22).known()).isFalse();
    }
}
