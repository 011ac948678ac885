package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * SIMULATED {@code head -c N} (stdin only), {@code cmp -s A B}, {@code cp -p A B} and {@code dd} (a file's pieces,
 * see {@link #dd()}): what the one-exec file swap
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
     * {@code dd if=FILE bs=N skip=K count=C status=none}: C blocks of N bytes from block K of a file (fewer at its
     * end; a regular file gives full blocks), on stdout; the SDK's way to read a large file in pieces over exec.
     * Messages as GNU dd prints them.
     */
    Program dd() {
        return FileCommands.readOnly(inv -> {
            java.util.Map<String, String> o = new java.util.HashMap<>();
            for (String a : inv.args()) {
                String[] kv = a.split("=", 2);
                if (kv.length != 2 || !List.of("if", "bs", "skip", "count", "status").contains(kv[0])) {
                    return inv.fail(1, "dd: unrecognized operand '" + a + "' (SIMULATED: if= bs= skip= count= "
                            + "status=none only)");
                }
                o.put(kv[0], kv[1]);
            }
            if (!o.containsKey("if") || !o.getOrDefault("status", "none").equals("none")
                    || !o.getOrDefault("bs", "512").matches("[1-9][0-9]{0,9}")
                    || !o.getOrDefault("skip", "0").matches("[0-9]{1,12}")
                    || !o.getOrDefault("count", "1").matches("[0-9]{1,12}")) {
                return inv.fail(1, "dd: invalid operands " + inv.args() + " (SIMULATED: if=FILE bs=N skip=K count=C "
                        + "status=none)");
            }
            long bs = Long.parseLong(o.getOrDefault("bs", "512"));
            long from = Long.parseLong(o.getOrDefault("skip", "0")) * bs;
            long length = Long.parseLong(o.getOrDefault("count", "1")) * bs;
            String path = o.get("if");
            if (!inv.host().files().exists(path)) {
                return inv.fail(1, "dd: failed to open '" + path + "': No such file or directory");
            }
            return FileCommands.readFile(inv, path, bytes -> {
                int start = (int) Math.min(bytes.length, from);
                inv.out().write(bytes, start, (int) Math.min(bytes.length - start, length));
            });
        });
    }

    /**
     * {@code grep -F WORD FILE}: the lines of FILE that contain WORD (a fixed string), as GNU grep prints them for one
     * file; and {@code grep [-q] [-v] [-x] -F -e P [-e P]... FILE} (the config swap's check of HAProxy's answers: is
     * there a line that is none of these whole lines). Exit 0 when a line was selected, 1 when none, 2 when the file
     * cannot be read (GNU grep manual, "Exit Status").
     */
    Program grep() {
        return FileCommands.readOnly(inv -> {
            List<String> a = inv.args();
            boolean quiet = false;
            boolean invert = false;
            boolean whole = false;
            boolean fixed = false;
            List<String> patterns = new java.util.ArrayList<>();
            int i = 0;
            for (; i < a.size() - 1; i++) {
                switch (a.get(i)) {
                    case "-q" -> quiet = true;
                    case "-v" -> invert = true;
                    case "-x" -> whole = true;
                    case "-F" -> fixed = true;
                    case "-e" -> patterns.add(a.get(++i));
                    default -> {
                        if (a.get(i).startsWith("-") || !patterns.isEmpty()) {
                            return inv.fail(2, "only 'grep -F <word> <file>' and 'grep [-q] [-v] [-x] -F -e <p>... "
                                    + "<file>' are supported by the SIMULATED host");
                        }
                        patterns.add(a.get(i));
                    }
                }
            }
            if (!fixed || patterns.isEmpty() || i != a.size() - 1 || (patterns.size() == 1 && !whole && !invert
                    && patterns.get(0).isEmpty())) {
                return inv.fail(2, "only 'grep -F <word> <file>' and 'grep [-q] [-v] [-x] -F -e <p>... <file>' are "
                        + "supported by the SIMULATED host");
            }
            String[] content = new String[1];
            if (FileCommands.readFile(inv, a.get(i), bytes -> content[0] = new String(bytes,
                    java.nio.charset.StandardCharsets.UTF_8)) != 0) {
                return 2;
            }
            boolean w = whole;
            boolean v = invert;
            List<String> hits = content[0].lines().filter(l -> patterns.stream()
                    .anyMatch(p -> w ? l.equals(p) : l.contains(p)) != v).toList();
            if (!quiet) {
                hits.forEach(inv.out()::println);
            }
            return hits.isEmpty() ? 1 : 0;
        });
    }
}
