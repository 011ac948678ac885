package io.epiphany.testkit;

import io.epiphany.api.Machine;
import io.epiphany.api.Cluster;
import io.epiphany.api.HostKeyPolicy;
import io.epiphany.api.SshSettings;
import io.epiphany.testkit.sim.MemoryStateStore;
import io.epiphany.testkit.sim.SimulatedOs;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import io.epiphany.testkit.sim.HostSetup;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** How {@link SimulatedFleet} sets its machines up and cleans after them. */
final class FleetSetup {
    private FleetSetup() {}

    /** How {@link SshSettings#closedNetwork()} names the fleet's network in a refused connection's message. */
    static final String CLOSED_NETWORK = "the simulated fleet's closed network";

    static SimulatedFleet start(List<Machine> machines, SimulatedFleet.Options options, SshSettings base, Cluster cluster) {
        checkUnique(machines);
        Path dir = null;
        FleetIo io = new FleetIo();
        Map<String, SimulatedHost> hosts = new LinkedHashMap<>();
        try {
            dir = Files.createTempDirectory("epiphany-sim-fleet-");
            KeyPair client = ecKey();
            Path privateKey = dir.resolve("id_ecdsa");
            try (OutputStream out = Files.newOutputStream(privateKey)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "epiphany-simulated-fleet", null, out);
            }
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
            StateStore store = new MemoryStateStore();
            SimulatedOs os = new SimulatedOs();
            StringBuilder knownHosts = new StringBuilder();
            List<Machine> connectable = new ArrayList<>();
            Map<String, String> addressBook = new LinkedHashMap<>();
            for (Machine m : machines) {
                register(store, m, options);
                SimulatedHost host = new SimulatedHost(m.hostname(), m.ip(), dir.resolve("hosts").resolve(m.hostname()),
                        store, ecKey(), client.getPublic(), io, os);
                Files.createDirectories(host.root().resolve("root"));
                Files.createDirectories(host.root().resolve("tmp"));
                host.writeInitialFiles(options.bareHosts());
                host.resetCounters(); // the machine's own files are not the SDK's writes
                hosts.put(m.hostname(), host);
                host.start();
                String key = PublicKeyEntry.toString(host.hostKey());
                // the connect address, and the modelled IP for a client that matches known_hosts by the machine's ip
                knownHosts.append("[127.0.0.1]:").append(host.sshPort()).append(' ').append(key).append('\n');
                knownHosts.append('[').append(m.ip()).append("]:").append(host.sshPort()).append(' ').append(key)
                        .append('\n');
                // the modelled IP, at any port (a retired machine is dialed at its InternalIP and SshSettings.port)
                addressBook.put(m.ip(), "127.0.0.1:" + host.sshPort());
                connectable.add(m.toBuilder().sshAddress("127.0.0.1").sshPort(host.sshPort())
                        .hostKeyFingerprint(java.util.Optional.empty()).build());
            }
            Path knownHostsFile = dir.resolve("known_hosts");
            Files.writeString(knownHostsFile, knownHosts, StandardCharsets.UTF_8);
            SshSettings ssh = base.toBuilder().user(options.sshUser()).privateKey(privateKey)
                    .privateKeyPassphrase(java.util.Optional.empty()).knownHosts(knownHostsFile)
                    .hostKeyPolicy(HostKeyPolicy.STRICT).jumpHosts(List.of()).useSshConfig(false).useAgent(false)
                    .addressBook(addressBook).closedNetwork(CLOSED_NETWORK).build();
            return new SimulatedFleet(dir, io, store, hosts, List.copyOf(connectable), ssh,
                    cluster == null ? null : pointAt(cluster, connectable, ssh));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            for (SimulatedHost h : hosts.values()) {
                SimulatedFleet.closeQuietly(h);
            }
            io.close();
            deleteTree(dir);
            throw e instanceof RuntimeException re ? re
                    : new UncheckedIOException("the simulated fleet could not start: " + e.getMessage(),
                            e instanceof IOException ioe ? ioe : new IOException(e));
        }
    }

    /** The cluster with each machine replaced by its connectable twin (same hostname) and the fleet's SSH settings. */
    static Cluster pointAt(Cluster cluster, List<Machine> connectable, SshSettings ssh) {
        Map<String, Machine> byName = new LinkedHashMap<>();
        connectable.forEach(m -> byName.put(m.hostname(), m));
        return cluster.toBuilder()
                .masters(cluster.masters().stream().map(m -> byName.get(m.hostname())).toList())
                .nodes(cluster.nodes().stream().map(m -> byName.get(m.hostname())).toList())
                .ssh(ssh)
                .build();
    }

    static void register(StateStore store, Machine m, SimulatedFleet.Options options) {
        store.update(s -> {
            s.etcdVersion = options.etcdVersion();
            if (options.airGapped()) {
                s.packageBases.clear();
                s.registries.clear();
            }
            options.packageMirrors().forEach(u -> {
                if (!s.packageBases.contains(u)) {
                    s.packageBases.add(u);
                }
            });
            options.imageMirrors().forEach(r -> {
                if (!s.registries.contains(r)) {
                    s.registries.add(r);
                }
            });
            s.downloads.putAll(options.downloads());
            SimulationState.Host h = new SimulationState.Host();
            h.ip = m.ip();
            h.kubeadmVersion = options.kubeadmVersion();
            HostSetup.prepare(h, options.osId(), options.osVersion(), options.bareHosts(),
                    options.cgroupV1());
            s.hosts.put(m.hostname(), h);
            return null;
        });
    }

    static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static void checkUnique(List<Machine> machines) {
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> ips = new java.util.HashSet<>();
        for (Machine m : machines) {
            if (!names.add(m.hostname())) {
                throw new IllegalArgumentException("hostname '" + m.hostname() + "' is used by two machines");
            }
            if (!ips.add(m.ip())) {
                throw new IllegalArgumentException("ip " + m.ip() + " is used by two machines (" + m.hostname() + ")");
            }
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
