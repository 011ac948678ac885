package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.List;

/**
 * SIMULATED {@code apt-get install -y} / {@code dnf install -y}: installs only {@code haproxy} (its binary, its unit
 * and a default {@code /etc/haproxy/haproxy.cfg}) and {@code socat} (its binary). As with the real packages, Debian's starts and enables the
 * service, Red Hat's does not. Each host has one package manager, by its OS.
 */
final class PackageInstaller implements Program {
    private final String tool;

    PackageInstaller(String tool) {
        this.tool = tool;
    }

    @Override
    public boolean changesState(List<String> args) {
        return args.contains("install");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        String os = inv.host().host(h -> h.os);
        if (!("apt-get".equals(tool) ? "debian" : "rhel").equals(os)) {
            inv.err().println("sh: 1: " + tool + ": not found");
            return 127;
        }
        List<String> packages = inv.args().stream().filter(a -> !a.startsWith("-") && !a.equals("install")).toList();
        if (!inv.args().contains("install") || !inv.args().contains("-y") || packages.isEmpty()) {
            return inv.fail(100, "E: only '" + tool + " install -y <package>' is supported by the SIMULATED host");
        }
        if (!inv.root()) {
            return inv.fail(100, "E: Could not open lock file - open (13: Permission denied)");
        }
        for (String p : packages) {
            if (!"haproxy".equals(p) && !"socat".equals(p)) {
                return "dnf".equals(tool) ? inv.fail(1, "Error: Unable to find a match: " + p)
                        : inv.fail(100, "E: Unable to locate package " + p);
            }
        }
        if (packages.contains("socat")) {
            inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).binaries.add("socat"));
        }
        if (!packages.contains("haproxy")) {
            return 0;
        }
        if (inv.host().host(h -> h.binaries.contains("haproxy"))) {
            inv.out().println("haproxy is already the newest version.");
            return 0;
        }
        if (!inv.host().files().exists(HaproxyCommand.DEFAULT_CONFIG)) {
            inv.host().files().write(HaproxyCommand.DEFAULT_CONFIG, HaproxyConfig.PACKAGE_DEFAULT, 0644);
        }
        boolean debian = "apt-get".equals(tool);
        // dpkg keeps a config that is already there (a conffile), and the service starts only if it is valid
        String config = inv.host().files().readString(HaproxyCommand.DEFAULT_CONFIG);
        boolean starts = debian && HaproxyConfig.parse(config).problems().isEmpty();
        inv.host().store().update(s -> {
            SimulationState.Host h = s.hosts.get(inv.host().hostname());
            h.binaries.add("haproxy");
            if (debian) {
                h.enabled.add("haproxy");
            }
            if (starts) {
                h.active.add("haproxy");
                h.haproxyConfig = config;
            }
            return null;
        });
        inv.out().println("Setting up haproxy (SIMULATED) ...");
        return 0;
    }
}
