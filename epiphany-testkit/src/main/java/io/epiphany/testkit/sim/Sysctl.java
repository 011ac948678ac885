package io.epiphany.testkit.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * SIMULATED {@code sysctl [-n] <key>...} and {@code sysctl -p <file>} (procps-ng): {@code net.ipv4.ip_forward} always
 * exists (0 on a fresh host); {@code net.bridge.bridge-nf-call-iptables} and {@code -ip6tables} exist only while
 * {@code br_netfilter} is loaded. A missing key prints procps' "cannot stat" line and makes the exit 255.
 */
final class Sysctl implements Program {
    static final String IP_FORWARD = "net.ipv4.ip_forward";

    @Override
    public boolean changesState(List<String> args) {
        return args.contains("-p") || args.stream().anyMatch(a -> a.contains("=")) || args.contains("-w");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.size() == 2 && a.get(0).equals("-p")) {
            return load(inv, a.get(1));
        }
        boolean valuesOnly = !a.isEmpty() && a.get(0).equals("-n");
        List<String> keys = valuesOnly ? a.subList(1, a.size()) : a;
        if (keys.isEmpty() || keys.stream().anyMatch(k -> k.startsWith("-") || k.contains("="))) {
            return inv.fail(255, "only 'sysctl [-n] <key>...' and 'sysctl -p <file>' are supported by the SIMULATED "
                    + "host");
        }
        SimulationState.Host h = inv.host().host(x -> x);
        int status = 0;
        for (String key : keys) {
            String value = value(h, key);
            if (value == null) {
                inv.err().println(cannotStat(key));
                status = 255;
                continue;
            }
            inv.out().println(valuesOnly ? value : key + " = " + value);
        }
        return status;
    }

    private static String cannotStat(String key) {
        return "sysctl: cannot stat /proc/sys/" + key.replace('.', '/') + ": No such file or directory";
    }

    static String value(SimulationState.Host h, String key) {
        return key.equals(IP_FORWARD) ? h.ipForward : h.sysctls.get(key);
    }

    private int load(Invocation inv, String path) throws IOException {
        if (!inv.host().files().exists(path)) {
            return inv.fail(255, "cannot open \"" + path + "\": No such file or directory");
        }
        String text = inv.host().files().readString(path);
        if (!inv.root()) {
            List<String> keys = entries(text).stream().map(e -> e[0]).toList();
            return inv.fail(255, "permission denied on key \"" + (keys.isEmpty() ? IP_FORWARD : keys.get(0)) + "\"");
        }
        List<String> errors = new ArrayList<>();
        PrintStream out = inv.out();
        inv.host().store().update(s -> {
            applyFile(s.hosts.get(inv.host().hostname()), text, errors);
            return null;
        });
        for (String[] e : entries(text)) {
            if (!errors.contains(e[0])) {
                out.println(e[0] + " = " + e[1]);
            }
        }
        errors.forEach(k -> inv.err().println(cannotStat(k)));
        return errors.isEmpty() ? 0 : 255;
    }

    /** Applies a sysctl.d file to a host; keys that do not exist are added to {@code missing} (when given). */
    static void applyFile(SimulationState.Host h, String text, List<String> missing) {
        for (String[] e : entries(text)) {
            if (e[0].equals(IP_FORWARD)) {
                h.ipForward = e[1];
            } else if (h.sysctls.containsKey(e[0])) {
                h.sysctls.put(e[0], e[1]);
            } else if (missing != null) {
                missing.add(e[0]);
            }
        }
    }

    private static List<String[]> entries(String text) {
        List<String[]> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            out.add(new String[] {eq < 0 ? line : line.substring(0, eq).strip(),
                    eq < 0 ? "" : line.substring(eq + 1).strip()});
        }
        return out;
    }
}
