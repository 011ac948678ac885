package io.epiphany.ssh;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Uploads and reads over SFTP and over the exec fallback. The embedded server writes to this machine's file system,
 * so files are owned by the user running the tests; that user is the upload owner here.
 */
class FilesTest extends SshFixture {
    private static final String ME = System.getProperty("user.name");

    @Test
    void sftpUploadCreatesParentsSetsModeAndSkipsUnchangedContent() throws Exception {
        checkUploads(host(server()));
    }

    @Test
    void withoutSftpTheExecFallbackBehavesTheSame() throws Exception {
        TestServer s = TestServer.startWithoutSftp(TestKeys.ed25519(), List.of(clientKey.getPublic()));
        servers.add(s);
        trust(s);
        checkUploads(host(s));
    }

    private void checkUploads(RemoteHost host) throws Exception {
        Path target = dir.resolve("etc/kubernetes/pki/ca.key");
        RemoteFile key = RemoteFile.of(target.toString(), "KEY-MATERIAL\n", 0600).owner(ME).secret();
        assertThat(host.upload(key)).isEqualTo(UploadResult.WRITTEN);
        assertThat(Files.readString(target)).isEqualTo("KEY-MATERIAL\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
        assertThat(host.upload(key)).isEqualTo(UploadResult.UNCHANGED);

        RemoteFile wider = RemoteFile.of(target.toString(), "KEY-MATERIAL\n", 0644).owner(ME);
        assertThat(host.upload(wider)).as("mode differs").isEqualTo(UploadResult.WRITTEN);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");

        RemoteFile changed = RemoteFile.of(target.toString(), "NEW\n", 0644).owner(ME);
        assertThat(host.upload(changed)).isEqualTo(UploadResult.WRITTEN);
        assertThat(Files.readString(target)).isEqualTo("NEW\n");
        try (var listing = Files.list(target.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList())
                    .as("no temporary file left behind").containsExactly("ca.key");
        }

        assertThat(host.read(target.toString())).hasValueSatisfying(
                b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("NEW\n"));
        assertThat(host.read(dir.resolve("missing").toString())).isEmpty();

        byte[] binary = new byte[300_000];
        new java.util.Random(7).nextBytes(binary);
        Path blob = dir.resolve("bin/blob");
        assertThat(host.upload(RemoteFile.of(blob.toString(), binary, 0640).owner(ME)))
                .isEqualTo(UploadResult.WRITTEN);
        assertThat(Files.readAllBytes(blob)).isEqualTo(binary);
        assertThat(host.read(blob.toString())).hasValue(binary);
    }
}
