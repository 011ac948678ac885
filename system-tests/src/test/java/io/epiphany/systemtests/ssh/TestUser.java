package io.epiphany.systemtests.ssh;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away local user with a sudoers.d rule, removed on close. {@code rule} is the sudoers command spec, e.g.
 * {@code NOPASSWD: ALL} or {@code ALL} (password required).
 */
final class TestUser implements AutoCloseable {
    final String name;
    private final Path sudoers;

    private TestUser(String name, Path sudoers) {
        this.name = name;
        this.sudoers = sudoers;
    }

    static TestUser create(String rule, String password) throws Exception {
        String name = "epst" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        OpenSshd.run("useradd", "-m", "-s", "/bin/sh", name);
        // sshd refuses logins to locked accounts ("!" password) even with keys when UsePAM is off.
        String pw = password != null ? password : "unused-" + System.nanoTime();
        Process chpasswd = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
        chpasswd.getOutputStream().write((name + ":" + pw + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        chpasswd.getOutputStream().close();
        chpasswd.getInputStream().readAllBytes();
        if (chpasswd.waitFor() != 0) {
            throw new IllegalStateException("chpasswd failed for " + name);
        }
        Path sudoers = Path.of("/etc/sudoers.d/" + name);
        Files.writeString(sudoers, name + " ALL=(ALL) " + rule + "\n");
        Files.setPosixFilePermissions(sudoers, java.nio.file.attribute.PosixFilePermissions.fromString("r--r-----"));
        return new TestUser(name, sudoers);
    }

    @Override
    public void close() throws Exception {
        Files.deleteIfExists(sudoers);
        OpenSshd.output("userdel", "-r", "-f", name);
    }
}
