package io.epiphany.ssh;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where a channel's stdout or stderr goes: at most {@code cap} bytes are kept, so a command that prints gigabytes
 * costs bounded memory. stdout keeps its beginning (facts are read from the top), stderr its end (the error is at the
 * bottom). The total is always counted. Written by MINA's I/O threads, read after the channel closed.
 */
final class Output extends OutputStream {
    private final int cap;
    private final boolean keepTail;
    private byte[] data = new byte[256];
    private int length;
    private long total;

    private Output(int cap, boolean keepTail) {
        this.cap = cap;
        this.keepTail = keepTail;
    }

    static Output head(int cap) {
        return new Output(cap, false);
    }

    static Output tail(int cap) {
        return new Output(cap, true);
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        total += len;
        if (!keepTail) {
            int room = cap - length;
            append(b, off, Math.min(room, len));
            return;
        }
        if (len >= cap) {
            grow(cap);
            System.arraycopy(b, off + len - cap, data, 0, cap);
            length = cap;
            return;
        }
        if (length + len > cap) {
            int drop = length + len - cap;
            System.arraycopy(data, drop, data, 0, length - drop);
            length -= drop;
        }
        append(b, off, len);
    }

    private void append(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        grow(length + len);
        System.arraycopy(b, off, data, length, len);
        length += len;
    }

    private void grow(int needed) {
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.min(cap, Math.max(needed, data.length * 2)));
        }
    }

    synchronized byte[] bytes() {
        return Arrays.copyOf(data, length);
    }

    synchronized boolean truncated() {
        return total > length;
    }

    synchronized long total() {
        return total;
    }
}
