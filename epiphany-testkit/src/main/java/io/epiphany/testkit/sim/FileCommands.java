package io.epiphany.testkit.sim;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SIMULATED coreutils the SDK uses: {@code cat}, {@code sha256sum}, {@code mkdir [-p]}, {@code rmdir}, {@code mv -f},
 * {@code rm -f},
 * {@code date +%s}, {@code stat -c}, {@code chmod}, {@code chown}. Messages follow GNU coreutils. Every file is owned
 * by root (as the SFTP view shows); a non-root user may read only world-readable files and write only under
 * {@code /tmp} and {@code /home}, and only root may chown.
 */
final class FileCommands {
    Program cat() {
        return readOnly(inv -> {
            if (inv.args().isEmpty()) {
                inv.stdin().transferTo(inv.out()); // the exec upload: cat > tmp with the content on stdin
                return 0;
            }
            int status = 0;
            for (String path : inv.args()) {
                status = Math.max(status, readFile(inv, path, bytes -> inv.out().write(bytes)));
            }
            return status;
        });
    }

    Program sha256sum() {
        return readOnly(inv -> {
            int status = 0;
            for (String path : inv.args()) {
                status = Math.max(status, readFile(inv, path,
                        bytes -> inv.out().println(HexFormat.of().formatHex(sha256(bytes)) + "  " + path)));
            }
            return status;
        });
    }

    Program date() {
        return readOnly(inv -> {
            if (!inv.args().equals(List.of("+%s"))) {
                return inv.fail(1, "only 'date +%s' is supported by the SIMULATED host");
            }
            inv.out().println(inv.host().store().read(s -> inv.host().now(s)).getEpochSecond());
            return 0;
        });
    }

    Program test() {
        return readOnly(inv -> {
            if (inv.args().size() == 3 && inv.args().get(1).equals("=")) {
                return inv.args().get(0).equals(inv.args().get(2)) ? 0 : 1; // string equality (the swap's $? check)
            }
            if (inv.args().size() != 2 || !List.of("-e", "-d").contains(inv.args().get(0))) {
                return inv.fail(2, "only 'test -e|-d <path>' and 'test <word> = <word>' are supported by the "
                        + "SIMULATED shell");
            }
            String path = inv.args().get(1);
            boolean yes = inv.args().get(0).equals("-d") ? inv.host().files().isDirectory(path)
                    : inv.host().files().exists(path);
            return yes ? 0 : 1;
        });
    }

    Program mkdir() {
        return changing(inv -> {
            List<String> paths = operands(inv, "-p");
            if (paths == null) {
                return inv.fail(1, "only 'mkdir [-p] <dir>...' is supported by the SIMULATED host");
            }
            if (!inv.args().contains("-p")) {
                return mkdirExclusive(inv, paths);
            }
            int status = 0;
            for (String path : paths) {
                if (!writable(inv, path)) {
                    status = inv.fail(1, "cannot create directory '" + path + "': Permission denied");
                    continue;
                }
                if (inv.host().files().exists(path) && !inv.host().files().isDirectory(path)) {
                    status = inv.fail(1, "cannot create directory '" + path + "': File exists");
                    continue;
                }
                try {
                    inv.host().files().mkdirs(path);
                } catch (FileSystemException e) {
                    status = inv.fail(1, "cannot create directory '" + path + "': " + reason(e));
                }
            }
            return status;
        });
    }

    /**
     * Plain {@code mkdir}: one atomic mkdir(2) per directory, refused when the path exists or its parent does not,
     * with GNU coreutils' messages ("cannot create directory 'X': File exists" / "No such file or directory").
     */
    private static int mkdirExclusive(Invocation inv, List<String> paths) {
        int status = 0;
        for (String path : paths) {
            if (!writable(inv, path)) {
                status = inv.fail(1, "cannot create directory '" + path + "': Permission denied");
                continue;
            }
            try {
                inv.host().files().mkdir(path);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                status = inv.fail(1, "cannot create directory '" + path + "': File exists");
            } catch (java.nio.file.NoSuchFileException e) {
                status = inv.fail(1, "cannot create directory '" + path + "': No such file or directory");
            } catch (IOException e) {
                status = inv.fail(1, "cannot create directory '" + path + "': " + e.getMessage());
            }
        }
        return status;
    }

    /** {@code rmdir DIR...}: removes empty directories, with GNU coreutils' messages. */
    Program rmdir() {
        return changing(inv -> {
            List<String> paths = operands(inv, "--");
            if (paths == null || paths.isEmpty()) {
                return inv.fail(1, "only 'rmdir <dir>...' is supported by the SIMULATED host");
            }
            int status = 0;
            for (String path : paths) {
                HostFiles files = inv.host().files();
                if (!files.exists(path)) {
                    status = inv.fail(1, "failed to remove '" + path + "': No such file or directory");
                } else if (!files.isDirectory(path)) {
                    status = inv.fail(1, "failed to remove '" + path + "': Not a directory");
                } else if (!writable(inv, path)) {
                    status = inv.fail(1, "failed to remove '" + path + "': Permission denied");
                } else if (!files.list(path).isEmpty()) {
                    status = inv.fail(1, "failed to remove '" + path + "': Directory not empty");
                } else {
                    files.delete(path);
                }
            }
            return status;
        });
    }

    Program mv() {
        return changing(inv -> {
            List<String> paths = operands(inv, "-f");
            if (paths == null || paths.size() != 2) {
                return inv.fail(1, "only 'mv -f <from> <to>' is supported by the SIMULATED host");
            }
            String from = paths.get(0);
            String to = paths.get(1);
            if (!inv.host().files().exists(from)) {
                return inv.fail(1, "cannot stat '" + from + "': No such file or directory");
            }
            if (!writable(inv, from) || !writable(inv, to)) {
                return inv.fail(1, "cannot move '" + from + "' to '" + to + "': Permission denied");
            }
            if (inv.host().files().isDirectory(to)) {
                to = to + "/" + Path.of(from).getFileName();
            }
            try {
                inv.host().files().move(from, to);
                return 0;
            } catch (FileSystemException e) {
                return inv.fail(1, "cannot move '" + from + "' to '" + to + "': " + reason(e));
            }
        });
    }

    Program rm() {
        return changing(inv -> {
            List<String> paths = operands(inv, "-f");
            if (paths == null || !inv.args().contains("-f")) {
                return inv.fail(1, "only 'rm -f <path>...' is supported by the SIMULATED host");
            }
            int status = 0;
            for (String path : paths) {
                if (inv.host().files().isDirectory(path)) {
                    status = inv.fail(1, "cannot remove '" + path + "': Is a directory");
                } else if (inv.host().files().exists(path) && !writable(inv, path)) {
                    status = inv.fail(1, "cannot remove '" + path + "': Permission denied");
                } else {
                    inv.host().files().delete(path);
                }
            }
            return status;
        });
    }

    /** {@code stat -c FORMAT FILE...} with the directives %a %U %G %u %g %s %n %%. */
    Program stat() {
        return readOnly(inv -> {
            List<String> a = inv.args();
            if (a.equals(List.of("-fc", "%T", "/sys/fs/cgroup"))) {
                // the file system type of the cgroup mount: cgroup2fs on a unified (v2) host, tmpfs on v1
                inv.out().println(inv.host().host(h -> h.cgroupV1) ? "tmpfs" : "cgroup2fs");
                return 0;
            }
            if (a.size() < 3 || !a.get(0).equals("-c")) {
                return inv.fail(1, "only 'stat -c <format> <file>...' is supported by the SIMULATED host");
            }
            int status = 0;
            for (String path : a.subList(2, a.size())) {
                if (!inv.host().files().exists(path)) {
                    status = inv.fail(1, "cannot statx '" + path + "': No such file or directory");
                    continue;
                }
                String line = format(inv, a.get(1), path);
                if (line == null) {
                    return inv.fail(1, "the SIMULATED host supports only %a %U %G %u %g %s %n %% in '" + a.get(1)
                            + "'");
                }
                inv.out().println(line);
            }
            return status;
        });
    }

    private static String format(Invocation inv, String format, String path) throws IOException {
        HostFiles files = inv.host().files();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= format.length()) {
                return null;
            }
            switch (format.charAt(i)) {
                case 'a' -> sb.append(Integer.toOctalString(files.mode(path)));
                case 'U', 'G' -> sb.append("root");
                case 'u', 'g' -> sb.append('0');
                case 's' -> sb.append(files.isDirectory(path) ? 4096 : files.read(path).length);
                case 'n' -> sb.append(path);
                case '%' -> sb.append('%');
                default -> {
                    return null;
                }
            }
        }
        return sb.toString();
    }

    /** {@code chmod MODE FILE...} with an octal mode (the SDK's only form). */
    Program chmod() {
        return changing(inv -> {
            List<String> a = inv.args();
            if (a.size() < 2 || !a.get(0).matches("0?[0-7]{1,3}")) {
                return inv.fail(1, "only 'chmod <octal mode up to 0777> <file>...' is supported by the SIMULATED host");
            }
            int mode = Integer.parseInt(a.get(0), 8);
            int status = 0;
            for (String path : a.subList(1, a.size())) {
                if (!inv.host().files().exists(path)) {
                    status = inv.fail(1, "cannot access '" + path + "': No such file or directory");
                } else if (!writable(inv, path)) {
                    status = inv.fail(1, "changing permissions of '" + path + "': Operation not permitted");
                } else {
                    inv.host().files().chmod(path, mode);
                }
            }
            return status;
        });
    }

    /**
     * {@code chown OWNER[:GROUP] FILE...}, root only. Files on a simulated host are owned by root, so root (or 0) is
     * the one owner it can record; the login user is a real account that it cannot record, unknown names are errors.
     */
    Program chown() {
        return changing(inv -> {
            List<String> a = inv.args();
            if (a.size() < 2 || a.get(0).startsWith("-")) {
                return inv.fail(1, "only 'chown <owner>[:<group>] <file>...' is supported by the SIMULATED host");
            }
            String spec = a.get(0);
            for (String name : spec.split(":", -1)) {
                if (!Id.known(inv, name)) {
                    return inv.fail(1, "invalid " + (spec.startsWith(name) ? "user" : "group") + ": '" + spec + "'");
                }
            }
            int status = 0;
            for (String path : a.subList(1, a.size())) {
                if (!inv.host().files().exists(path)) {
                    status = inv.fail(1, "cannot access '" + path + "': No such file or directory");
                } else if (!inv.root()) {
                    status = inv.fail(1, "changing ownership of '" + path + "': Operation not permitted");
                } else if (!spec.matches("(root|0)(:(root|0)?)?")) {
                    status = inv.fail(1, "the SIMULATED host records only root as a file's owner, not '" + spec
                            + "'");
                }
            }
            return status;
        });
    }

    /** The operands after the allowed flags, or null when another flag is given. */
    private static List<String> operands(Invocation inv, String allowedFlag) {
        List<String> rest = inv.args().stream().filter(a -> !a.equals(allowedFlag)).toList();
        if (rest.stream().anyMatch(a -> a.startsWith("-") && !a.equals("-"))) {
            return null;
        }
        return rest;
    }

    /** Whether this user may change a path: root anywhere, others under /tmp and /home only. */
    static boolean writable(Invocation inv, String path) {
        return writable(inv.root(), path);
    }

    static boolean writable(boolean root, String path) {
        return root || path.startsWith("/tmp/") || path.startsWith("/home/");
    }

    /** Whether this user may read a file: root always, others only world-readable files. */
    static boolean readable(Invocation inv, String path) throws IOException {
        return inv.root() || inv.host().files().worldReadable(path);
    }

    interface BytesConsumer {
        void accept(byte[] bytes) throws IOException;
    }

    static int readFile(Invocation inv, String path, BytesConsumer consumer) throws IOException {
        HostFiles files = inv.host().files();
        if (!files.exists(path)) {
            return inv.fail(1, path + ": No such file or directory");
        }
        if (files.isDirectory(path)) {
            return inv.fail(1, path + ": Is a directory");
        }
        if (!readable(inv, path)) {
            return inv.fail(1, path + ": Permission denied");
        }
        consumer.accept(files.read(path));
        return 0;
    }

    private static String reason(FileSystemException e) {
        return e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Body {
        int run(Invocation inv) throws IOException;
    }

    static Program readOnly(Body body) {
        return program(body, false);
    }

    static Program changing(Body body) {
        return program(body, true);
    }

    private static Program program(Body body, boolean changes) {
        return new Program() {
            @Override
            public int run(Invocation invocation) throws IOException {
                return body.run(invocation);
            }

            @Override
            public boolean changesState(List<String> args) {
                return changes;
            }
        };
    }
}
