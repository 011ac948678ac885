package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * SIMULATED {@code head -c N} (stdin only), {@code cmp -s A B} and {@code cp -p A B}: what the one-exec file swap
 * of {@code docs/host-commands.md} needs (the candidate read from the rest of stdin, compared with the live file, the
 * live file kept aside before the rename); and {@code grep -F WORD FILE}, with which the facts script takes the one
 * certificate line out of a kubeconfig (never its key). Messages follow GNU coreutils, diffutils and grep; any other
 * form exits 1 (cmp and grep: 2, their "trouble" status).
 */
final class StreamCommands {
    private static final int MAX_HEAD = 16 << 20;

    /** {@code head -c N}: the next N bytes of stdin (fewer at its end), nothing more consumed. */
    Program head() {
        return FileCommands.readOnly(inv -> {
            List<String> a = inv.args();
            if (a.size() != 2 || !a.get(0).equals("-c") || !a.get(1).matches("\\d{1,8}")
                    || Integer.parseInt(a.get(1)) > MAX_HEAD) {
                return inv.fail(1, "only 'head -c <bytes>' on stdin is supported by the SIMULATED host");
            }
            inv.out().write(inv.stdin().readNBytes(Integer.parseInt(a.get(1))));
            inv.out().flush();
            return 0;
        });
    }

    /** {@code cmp -s A B}: 0 when the contents are equal, 1 when they differ, 2 when either cannot be read. */
    Program cmp() {
        return FileCommands.readOnly(inv -> {
            List<String> a = inv.args();
            if (a.size() != 3 || !a.get(0).equals("-s")) {
                return inv.fail(2, "only 'cmp -s <file> <file>' is supported by the SIMULATED host");
            }
            byte[][] contents = new byte[2][];
            for (int i = 0; i < 2; i++) {
                int k = i;
                if (FileCommands.readFile(inv, a.get(i + 1), bytes -> contents[k] = bytes) != 0) {
                    return 2;
                }
            }
            return Arrays.equals(contents[0], contents[1]) ? 0 : 1;
        });
    }

    /** {@code cp -p SOURCE DEST}: a copy with the source's mode (every simulated file is root's, so owner too). */
    Program cp() {
        return FileCommands.changing(inv -> {
            List<String> a = inv.args();
            if (a.size() != 3 || !a.get(0).equals("-p")) {
                return inv.fail(1, "only 'cp -p <source> <dest>' is supported by the SIMULATED host");
            }
            String from = a.get(1);
            String to = a.get(2);
            if (!FileCommands.writable(inv, to)) {
                return inv.fail(1, "cannot create regular file '" + to + "': Permission denied");
            }
            HostFiles files = inv.host().files();
            byte[][] content = new byte[1][];
            if (FileCommands.readFile(inv, from, bytes -> content[0] = bytes) != 0) {
                return 1;
            }
            try {
                files.write(to, content[0], files.mode(from));
            } catch (IOException e) {
                return inv.fail(1, "cannot create regular file '" + to + "': " + e.getMessage());
            }
            return 0;
        });
    }

    /**
     * {@code grep -F WORD FILE}: the lines of FILE that contain WORD (a fixed string), as GNU grep prints them for one
     * file; exit 0 when a line was selected, 1 when none, 2 when the file cannot be read (GNU grep manual, "Exit
     * Status").
     */
    Program grep() {
        return FileCommands.readOnly(inv -> {
            List<String> a = inv.args();
            if (a.size() != 3 || !a.get(0).equals("-F") || a.get(1).isEmpty() || a.get(1).startsWith("-")) {
                return inv.fail(2, "only 'grep -F <word> <file>' is supported by the SIMULATED host");
            }
            String[] content = new String[1];
            if (FileCommands.readFile(inv, a.get(2), bytes -> content[0] = new String(bytes,
                    java.nio.charset.StandardCharsets.UTF_8)) != 0) {
                return 2;
            }
            List<String> hits = content[0].lines().filter(l -> l.contains(a.get(1))).toList();
            hits.forEach(inv.out()::println);
            return hits.isEmpty() ? 1 : 0;
        });
    }
}
