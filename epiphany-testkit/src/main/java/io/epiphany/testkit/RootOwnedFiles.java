package io.epiphany.testkit;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.Principal;
import java.util.NavigableMap;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * SFTP view of a SIMULATED host's files as a real host shows them: everything is owned by root (uid/gid 0), whoever
 * runs the test. Changing the owner is accepted and has no effect, since only root owns files here.
 */
final class RootOwnedFiles implements SftpFileSystemAccessor {
    @Override
    public NavigableMap<String, Object> resolveReportedFileAttributes(SftpSubsystemProxy subsystem, Path file,
            int flags, NavigableMap<String, Object> attrs, LinkOption... options) throws IOException {
        attrs.computeIfPresent("uid", (k, v) -> 0);
        attrs.computeIfPresent("gid", (k, v) -> 0);
        attrs.computeIfPresent("owner", (k, v) -> "root");
        attrs.computeIfPresent("group", (k, v) -> "root");
        return attrs;
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options) {
        // only root owns files on a simulated host
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options) {
        // only root owns files on a simulated host
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute,
            Object value, LinkOption... options) throws IOException {
        if (attribute.equals("uid") || attribute.equals("gid") || attribute.equals("owner")
                || attribute.equals("group")) {
            return;
        }
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, file, view, attribute, value, options);
    }
}
