package io.epiphany.systemtests.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on 127.0.0.1 with its own config, host key, authorized_keys ({@code <dir>/keys/%u}) and
 * PID file, started in the foreground ({@code -D -e}) and stopped by {@link #close()}. Needs root and
 * {@code /usr/sbin/sshd}.
 */
final class OpenSshd implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    final Path dir;
    final int port;
    final Path hostKey;
    private final Process process;

    private OpenSshd(Path dir, int port, Path hostKey, Process process) {
        this.dir = dir;
        this.port = port;
        this.hostKey = hostKey;
        this.process = process;
    }

    /** True when this JVM can run real sshd instances (root, sshd installed). */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(SSHD)
                && Files.isExecutable(Path.of("/usr/bin/sudo")) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"));
    }

    /** Starts sshd in {@code dir} (created), with a new ed25519 host key unless {@code hostKey} is given. */
    static OpenSshd start(Path dir, Path hostKey, int port) throws Exception {
        return start(dir, hostKey, port, List.of());
    }

    /**
     * {@link #start(Path, Path, int)} with more host keys of new keys of these {@code ssh-keygen -t} types, offered
     * after the first, as a stock OpenSSH host offers its Ed25519, ECDSA and RSA keys.
     */
    static OpenSshd start(Path dir, Path hostKey, int port, List<String> moreKeyTypes) throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.createDirectories(Path.of("/run/sshd"));
        Path key = hostKey;
        if (key == null) {
            key = dir.resolve("ssh_host_ed25519_key");
            Files.deleteIfExists(key);
            Files.deleteIfExists(Path.of(key + ".pub"));
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        }
        List<String> moreKeys = new java.util.ArrayList<>();
        for (String type : moreKeyTypes) {
            Path more = dir.resolve("ssh_host_" + type + "_key");
            Files.deleteIfExists(more);
            Files.deleteIfExists(Path.of(more + ".pub"));
            run("ssh-keygen", "-q", "-t", type, "-N", "", "-f", more.toString());
            moreKeys.add("HostKey " + more);
        }
        int p = port > 0 ? port : freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + p,
                "HostKey " + key,
                String.join("\n", moreKeys),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("keys") + "/%u",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding yes",
                "MaxStartups 200",
                "MaxSessions 10",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                ""));
        Process process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        OpenSshd sshd = new OpenSshd(dir, p, key, process);
        sshd.awaitListening(Duration.ofSeconds(10));
        return sshd;
    }

    /** Lets {@code user} log in with {@code publicKeyFile}. */
    void authorize(String user, Path publicKeyFile) throws IOException {
        Path file = dir.resolve("keys").resolve(user);
        Files.writeString(file, Files.readString(publicKeyFile));
        // sshd reads a non-root user's authorized_keys with that user's rights: open the path up to the file.
        var readable = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        for (Path p = dir.resolve("keys"); p != null && p.startsWith(dir.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, readable);
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    Path hostPublicKey() {
        return Path.of(hostKey + ".pub");
    }

    /** The host key's {@code SHA256:} fingerprint as {@code ssh-keygen -lf} prints it. */
    String fingerprint() throws Exception {
        return output("ssh-keygen", "-lf", hostPublicKey().toString()).split("\\s+")[1];
    }

    /** A known_hosts line for this server (plain; hash with {@code ssh-keygen -H}). */
    String knownHostsLine() throws IOException {
        String[] pub = Files.readString(hostPublicKey()).trim().split("\\s+");
        return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1];
    }

    private void awaitListening(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("sshd on port " + port + " did not start within " + timeout);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Generates an OpenSSH client key pair with ssh-keygen. */
    static Path clientKey(Path dir, String type, String passphrase) throws Exception {
        Path key = dir.resolve("id_" + type);
        run("ssh-keygen", "-q", "-t", type, "-N", passphrase == null ? "" : passphrase, "-f", key.toString());
        return key;
    }

    static void run(String... command) throws Exception {
        output(command);
    }

    static String output(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\\R")));
    }
}
