package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/**
 * SIMULATED {@code haproxy -c -f <file>}: the config check of {@link HaproxyConfig}; and {@code haproxy -v}, which
 * prints Debian 12's version line (its package, 2.6.12-1+deb12u4).
 */
final class HaproxyCommand implements Program {
    static final String DEFAULT_CONFIG = "/etc/haproxy/haproxy.cfg";

    /** The SIMULATED HAProxy's version, as {@code .if version_atleast(...)} compares it. */
    static final String VERSION = "2.6.12";

    private static final String USAGE = "only 'haproxy -c -f <file> [-f <file|dir>]...' is supported by the SIMULATED"
            + " host";

    @Override
    public boolean changesState(List<String> args) {
        // -c is listed as state-changing in docs/host-commands.md: it only runs when a config changes
        return !args.equals(List.of("-v"));
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.equals(List.of("-v"))) {
            inv.out().println("HAProxy version " + VERSION + "-1+deb12u4 2026/10/17 - https://haproxy.org/");
            inv.out().println("Status: long-term supported branch - will stop receiving fixes around Q2 2027.");
            return 0;
        }
        if (a.size() < 3 || a.size() % 2 == 0 || !a.get(0).equals("-c")) {
            return inv.fail(1, USAGE);
        }
        // Each -f is a file or a directory whose *.cfg files are read in lexical order (HAProxy's management guide,
        // "-f <cfgfile|cfgdir>"); SIMULATED: they are checked as one text, alerts named after the first file.
        StringBuilder text = new StringBuilder();
        String path = a.get(2);
        for (int i = 1; i < a.size(); i += 2) {
            String f = a.get(i + 1);
            if (!a.get(i).equals("-f")) {
                return inv.fail(1, USAGE);
            }
            if (!inv.host().files().exists(f)) {
                inv.err().println("[ALERT]    (1) : config : Cannot open configuration file/directory " + f
                        + " : No such file or directory");
                return 1;
            }
            if (inv.host().files().isDirectory(f)) {
                for (String name : inv.host().files().list(f).stream().filter(n -> n.endsWith(".cfg")).sorted()
                        .toList()) {
                    append(text, inv.host().files().readString(f + "/" + name));
                }
            } else {
                append(text, inv.host().files().readString(f));
            }
        }
        List<String> problems = HaproxyConfig.parse(text.toString()).problems();
        if (problems.isEmpty()) {
            inv.out().println("Configuration file is valid");
            return 0;
        }
        for (String p : problems) {
            inv.err().println("[ALERT]    (1) : config : " + p.replace("haproxy.cfg", path));
        }
        inv.err().println("[ALERT]    (1) : config : Fatal errors found in configuration.");
        return 1;
    }

    private static void append(StringBuilder text, String file) {
        text.append(file);
        if (!file.isEmpty() && !file.endsWith("\n")) {
            text.append('\n');
        }
    }
}
