package io.epiphany.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reads the files the SDK is given on its own machine (the cluster description, private keys, known_hosts): only
 * regular files, at most a stated number of bytes, interruptibly. A device ({@code /dev/zero}), a named pipe or a
 * directory is refused before it is opened, so a wrong path gives a clear error instead of a hang or an
 * {@code OutOfMemoryError}.
 */
public final class LocalFiles {
    private LocalFiles() {}

    /**
     * The content of {@code file}.
     *
     * @param what what the file is for, as the caller's settings name it (e.g. {@code SshSettings.privateKey})
     * @throws IOException naming {@code what} and the path when the file is missing, not a regular file, larger than
     *     {@code maxBytes}, or unreadable; {@link InterruptedIOException} (with the thread's interrupt flag kept
     *     set) when the thread is interrupted
     */
    public static byte[] read(Path file, int maxBytes, String what) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows symbolic links
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(what + " " + file + " does not exist");
        }
        if (!attributes.isRegularFile()) {
            throw new IOException(what + " " + file + " is not a regular file (" + kind(attributes)
                    + "); give the path of the file itself");
        }
        if (attributes.size() > maxBytes) {
            throw tooLarge(file, maxBytes, what);
        }
        // A FileChannel is interruptible: an interrupt closes it and the read ends with ClosedByInterruptException.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min((long) maxBytes + 1, attributes.size() + 1));
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                if (buffer.position() > maxBytes) {
                    throw tooLarge(file, maxBytes, what); // it grew since it was measured
                }
                if (!buffer.hasRemaining()) {
                    buffer = grow(buffer, maxBytes);
                }
            }
            return Arrays.copyOf(buffer.array(), buffer.position());
        } catch (java.nio.channels.ClosedByInterruptException e) {
            // the thread's interrupt flag stays set, as ClosedByInterruptException leaves it
            throw new InterruptedIOException(what + " " + file + ": reading was interrupted");
        }
    }

    private static ByteBuffer grow(ByteBuffer full, int maxBytes) {
        int size = (int) Math.min((long) maxBytes + 1, Math.max(full.capacity() * 2L, 4096));
        if (size <= full.capacity()) {
            return full; // already at the cap: the next read hits the size check
        }
        ByteBuffer bigger = ByteBuffer.allocate(size);
        full.flip();
        return bigger.put(full);
    }

    private static IOException tooLarge(Path file, int maxBytes, String what) {
        return new IOException(what + " " + file + " is larger than " + maxBytes + " bytes, far more than such a "
                + "file holds; check the path");
    }

    private static String kind(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        return a.isOther() ? "a device, named pipe or socket" : "not a plain file";
    }
}
