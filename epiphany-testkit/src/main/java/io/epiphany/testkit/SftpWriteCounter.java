package io.epiphany.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

/** Counts SFTP changes: one per written file handle, and each mkdir, rename, remove, attribute change. */
final class SftpWriteCounter implements SftpEventListener {
    private final HostFaults faults;
    private final AtomicLong writes;
    private final Map<Handle, Boolean> written = new java.util.concurrent.ConcurrentHashMap<>();

    SftpWriteCounter(HostFaults faults, AtomicLong writes) {
        this.faults = faults;
        this.writes = writes;
    }

    @Override
    public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
            byte[] data, int dataOffset, int dataLen) throws IOException {
        if (faults.isDiskFull()) {
            throw new java.nio.file.FileSystemException(localHandle.getFile().toString(), null,
                    "No space left on device");
        }
        written.put(localHandle, Boolean.TRUE);
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        if (written.remove(localHandle) != null) {
            writes.incrementAndGet();
        }
    }

    @Override
    public void created(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        count(thrown);
    }

    @Override
    public void moved(ServerSession session, Path srcPath, Path dstPath,
            java.util.Collection<java.nio.file.CopyOption> opts, Throwable thrown) {
        count(thrown);
    }

    @Override
    public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
        count(thrown);
    }

    @Override
    public void modifiedAttributes(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        count(thrown);
    }

    private void count(Throwable thrown) {
        if (thrown == null) {
            writes.incrementAndGet();
        }
    }
}
