package io.epiphany.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.epiphany.api.Machine;
import io.epiphany.api.remote.Command;
import io.epiphany.api.remote.RemoteAccess;
import io.epiphany.api.remote.RemoteException;
import io.epiphany.api.remote.RemoteFile;
import io.epiphany.api.remote.RemoteHost;
import io.epiphany.api.remote.UploadResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SDK's SSH client logged in as a non-root user: files go over exec through {@code sudo -n sh -c} (stat,
 * sha256sum, cat > tmp, chmod, chown, mv), and the SIMULATED host answers them as a real one would.
 */
class NonRootLoginTest {
    private static final String KEY = "/etc/kubernetes/pki/ca.key";

    @Test
    void uploadsReadsAndRootCommandsGoThroughSudo() throws Exception {
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")),
                        SimulatedFleet.Options.defaults().withSshUser("ubuntu"));
                RemoteAccess access = RemoteAccess.load()) {
            RemoteHost host = access.host(fleet.machines().get(0), fleet.sshSettings());
            SimulatedHost sim = fleet.host("m1");
            RemoteFile key = RemoteFile.of(KEY, "-----BEGIN PRIVATE KEY-----\n", 0600).owner("root").secret();

            assertThat(host.upload(key)).isEqualTo(UploadResult.WRITTEN);
            Path local = sim.root().resolve(KEY.substring(1));
            assertThat(Files.readString(local)).isEqualTo("-----BEGIN PRIVATE KEY-----\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rw-------");
            assertThat(Files.list(local.getParent()).map(p -> p.getFileName().toString()).toList())
                    .containsExactly("ca.key"); // no temporary file left behind

            sim.resetCounters();
            assertThat(host.upload(key)).isEqualTo(UploadResult.UNCHANGED);
            assertThat(sim.writeCount()).isZero();
            assertThat(sim.stateChangingCommandCount()).isZero();

            RemoteFile wider = RemoteFile.of(KEY, "-----BEGIN PRIVATE KEY-----\n", 0640);
            assertThat(host.upload(wider)).isEqualTo(UploadResult.WRITTEN);
            assertThat(sim.writeCount()).isPositive();
            assertThat(sim.stateChangingCommandCount()).isEqualTo(1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rw-r-----");

            assertThat(new String(host.read(KEY).orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo("-----BEGIN PRIVATE KEY-----\n");
            assertThat(host.read("/etc/kubernetes/missing.conf")).isEmpty();

            assertThat(host.run(Command.of("id", "-un").asRoot().readOnly()).stdout()).isEqualTo("root\n");
            assertThat(host.run(Command.of("id", "-un").readOnly()).stdout()).isEqualTo("ubuntu\n");
            assertThat(host.run(Command.of("cat", KEY).readOnly()).exitCode()).isEqualTo(1);

            // an owner the simulated host cannot record fails with chown's message, and leaves no temporary file
            assertThatThrownBy(() -> host.upload(RemoteFile.of("/etc/x.conf", "x", 0644).owner("nobody")))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("invalid user: 'nobody'");
            assertThat(Files.exists(sim.root().resolve("etc/x.conf"))).isFalse();
            assertThat(Files.list(sim.root().resolve("etc")).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("."))).isEmpty();
        }
    }

    /**
     * Files larger than one command's stdin (1 MiB, a send window) or output (here a 256 KiB cap) go in pieces: an
     * upload as 0600 part files joined on the host, a download with {@code dd} piece by piece.
     */
    @Test
    void largeFilesGoOverExecInPiecesBothWays(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 12345];
        new java.util.Random(3).nextBytes(big);
        try (SimulatedFleet fleet = SimulatedFleet.start(List.of(Machine.of("m1", "10.0.0.11")),
                        SimulatedFleet.Options.defaults().withSshUser("ubuntu"));
                RemoteAccess access = io.epiphany.ssh.SshRemoteAccess.builder().maxOutputBytes(256 * 1024).build()) {
            RemoteHost host = access.host(fleet.machines().get(0), fleet.sshSettings());
            SimulatedHost sim = fleet.host("m1");
            String path = "/var/lib/epiphany-restore/snapshot.db";

            assertThat(host.upload(RemoteFile.of(path, big, 0600).secret())).isEqualTo(UploadResult.WRITTEN);
            Path onHost = sim.root().resolve(path.substring(1));
            assertThat(Files.readAllBytes(onHost)).isEqualTo(big);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onHost))).isEqualTo("rw-------");
            assertThat(Files.list(onHost.getParent()).map(p -> p.getFileName().toString()).toList())
                    .as("no piece left behind").containsExactly("snapshot.db");
            assertThat(host.upload(RemoteFile.of(path, big, 0600).secret())).isEqualTo(UploadResult.UNCHANGED);

            Path local = Files.createFile(dir.resolve("copy.db"));
            assertThat(host.download(path, local)).isTrue();
            assertThat(Files.readAllBytes(local)).isEqualTo(big);
            assertThat(sim.processes().commandLines()).as("14 pieces of 128 KiB, the last short")
                    .filteredOn(l -> l.startsWith("dd if=" + path)).hasSize(big.length / (128 * 1024) + 1);
            assertThat(host.download("/var/lib/none.db", dir.resolve("none.db"))).isFalse();
        }
    }
}
