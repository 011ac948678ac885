package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/**
 * SIMULATED {@code sysctl}: {@code -n net.ipv4.ip_forward} and {@code -p <file>}; only {@code net.ipv4.ip_forward}
 * exists (kubeadm's preflight needs it at 1). A fresh host has 0.
 */
final class Sysctl implements Program {
    private static final String KEY = "net.ipv4.ip_forward";

    @Override
    public boolean changesState(List<String> args) {
        return args.contains("-p");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.equals(List.of("-n", KEY))) {
            String value = inv.host().host(h -> h.ipForward);
            inv.out().println(value);
            return 0;
        }
        if (a.size() != 2 || !a.get(0).equals("-p")) {
            return inv.fail(255, "only 'sysctl -n net.ipv4.ip_forward' and 'sysctl -p <file>' are supported by the "
                    + "SIMULATED host");
        }
        String path = a.get(1);
        if (!inv.host().files().exists(path)) {
            return inv.fail(255, "cannot open \"" + path + "\": No such file or directory");
        }
        for (String raw : inv.host().files().readString(path).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq).strip();
            String value = eq < 0 ? "" : line.substring(eq + 1).strip();
            if (!key.equals(KEY)) {
                inv.err().println("sysctl: cannot stat /proc/sys/" + key.replace('.', '/') + ": No such file or "
                        + "directory");
                continue;
            }
            if (!inv.root()) {
                return inv.fail(255, "permission denied on key \"" + KEY + "\"");
            }
            inv.host().store().update(s -> {
                s.hosts.get(inv.host().hostname()).ipForward = value;
                return null;
            });
            inv.out().println(KEY + " = " + value);
        }
        return 0;
    }
}
