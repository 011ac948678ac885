package io.epiphany.testkit.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SIMULATED {@code sysctl}: {@code -n net.ipv4.ip_forward} prints the value (0 on a fresh host, like a default
 * kernel); {@code -p FILE} applies {@code key = value} lines from a file. Values live in the host's
 * {@code /proc/sys} tree, so they are visible with {@code cat} too.
 */
final class Sysctl implements Program {
    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        HostFiles files = inv.host().files();
        if (a.size() == 2 && a.get(0).equals("-n")) {
            String path = procPath(a.get(1));
            inv.out().println(files.exists(path) ? files.readString(path).trim() : "0");
            return 0;
        }
        if (a.size() == 2 && a.get(0).equals("-p")) {
            if (!inv.root()) {
                return inv.fail(255, "permission denied on key, ignoring");
            }
            if (!files.exists(a.get(1))) {
                return inv.fail(255, "cannot open \"" + a.get(1) + "\": No such file or directory");
            }
            for (String line : files.readString(a.get(1)).split("\n")) {
                int eq = line.indexOf('=');
                if (line.isBlank() || line.startsWith("#") || eq < 0) {
                    continue;
                }
                String key = line.substring(0, eq).trim();
                String value = line.substring(eq + 1).trim();
                files.mkdirs(procPath(key).substring(0, procPath(key).lastIndexOf('/')));
                files.write(procPath(key), (value + "\n").getBytes(StandardCharsets.UTF_8), 0644);
                inv.out().println(key + " = " + value);
            }
            return 0;
        }
        return inv.fail(2, "only 'sysctl -n <key>' and 'sysctl -p <file>' are supported by the SIMULATED host");
    }

    private static String procPath(String key) {
        return "/proc/sys/" + key.replace('.', '/');
    }

    @Override
    public boolean changesState(List<String> args) {
        return !args.isEmpty() && args.get(0).equals("-p");
    }
}
