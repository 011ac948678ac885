package io.epiphany.testkit.sim;

import io.epiphany.testkit.sim.kube.ControlPlane;
import java.io.IOException;
import java.util.List;

/**
 * SIMULATED {@code systemctl} for the units the SDK touches: {@code haproxy}, {@code kubelet}, {@code containerd}.
 * Starting or reloading haproxy checks its config like the unit's {@code ExecStartPre}/{@code ExecReload}
 * ({@code haproxy -c}); a failed reload keeps the old config running. Starting kubelet starts the host's static pods.
 * {@code kill} is {@link SystemctlKill}.
 */
final class Systemctl implements Program {
    static final List<String> UNITS = List.of("haproxy", "kubelet", "containerd");

    @Override
    public boolean changesState(List<String> args) {
        return !args.isEmpty() && !args.get(0).equals("is-active") && !args.get(0).equals("is-enabled");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.equals(List.of("daemon-reload"))) {
            // reloads unit files; the SIMULATED units never change on disk
            return inv.root() ? 0 : inv.fail(1, "Failed to reload daemon: Access denied");
        }
        if (!a.isEmpty() && a.get(0).equals("kill")) {
            return SystemctlKill.run(inv, a.subList(1, a.size()));
        }
        if (a.size() < 2) {
            return inv.fail(1, "SIMULATED systemctl supports is-active, is-enabled, enable [--now], start, stop, "
                    + "restart, reload <unit>, kill --kill-who=main --signal=SIGUSR2 haproxy");
        }
        String verb = a.get(0);
        boolean now = a.contains("--now");
        String unit = a.get(a.size() - 1).replaceFirst("\\.service$", "");
        boolean exists = UNITS.contains(unit) && inv.host().host(h -> h.binaries.contains(unit));
        switch (verb) {
            case "is-active":
                return query(inv, exists && inv.host().host(h -> h.active.contains(unit)), "active", "inactive");
            case "is-enabled":
                if (!exists) {
                    inv.err().println("Failed to get unit file state for " + unit + ".service: No such file or directory");
                    return 1;
                }
                // systemctl is-enabled exits 1 for a disabled unit (is-active's "inactive" is 3)
                boolean enabled = inv.host().host(h -> h.enabled.contains(unit));
                inv.out().println(enabled ? "enabled" : "disabled");
                return enabled ? 0 : 1;
            default:
                break;
        }
        if (!inv.root()) {
            inv.err().println("Failed to " + verb + " " + unit + ".service: Access denied");
            return 1;
        }
        if (!exists) {
            inv.err().println(("enable".equals(verb) ? "Failed to enable unit: Unit file " : "Failed to " + verb + " ")
                    + unit + ".service" + ("enable".equals(verb) ? " does not exist." : ": Unit " + unit
                    + ".service not found."));
            return "enable".equals(verb) ? 1 : 5;
        }
        switch (verb) {
            case "enable":
                boolean wasEnabled = inv.host().store().update(s -> !s.hosts.get(inv.host().hostname()).enabled.add(unit));
                if (!wasEnabled) {
                    inv.err().println("Created symlink /etc/systemd/system/multi-user.target.wants/" + unit
                            + ".service → /lib/systemd/system/" + unit + ".service.");
                }
                return now && !isActive(inv, unit) ? start(inv, unit) : 0;
            case "disable":
                inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).enabled.remove(unit));
                return 0;
            case "start":
                return isActive(inv, unit) ? 0 : start(inv, unit);
            case "restart":
                stop(inv, unit);
                return start(inv, unit);
            case "stop":
                stop(inv, unit);
                return 0;
            case "reload":
                if (!isActive(inv, unit)) {
                    inv.err().println(unit + ".service is not active, cannot reload.");
                    return 1;
                }
                return "haproxy".equals(unit) ? loadHaproxyConfig(inv, unit) : 0;
            default:
                return inv.fail(1, "unknown command verb " + verb + " (SIMULATED systemctl)");
        }
    }

    private static int query(Invocation inv, boolean yes, String positive, String negative) {
        inv.out().println(yes ? positive : negative);
        return yes ? 0 : 3;
    }

    private static boolean isActive(Invocation inv, String unit) {
        return inv.host().host(h -> h.active.contains(unit));
    }

    private static int start(Invocation inv, String unit) throws IOException {
        if ("haproxy".equals(unit)) {
            int status = loadHaproxyConfig(inv, unit);
            if (status != 0) {
                return status;
            }
        }
        if ("kubelet".equals(unit) && Containerd.kubeletRefusal(inv.host().host(h -> h)).isPresent()) {
            return 0; // Type=simple: systemctl start succeeds, the kubelet exits at once and is restarted, in vain
        }
        if ("containerd".equals(unit)) {
            Containerd.started(inv.host());
        }
        inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).active.add(unit));
        if ("kubelet".equals(unit)) {
            ControlPlane.kubeletStarted(inv.host());
        }
        return 0;
    }

    /**
     * Stopping a unit. For the kubelet, only the kubelet stops: the static pods' containers belong to containerd and
     * keep running (the Node turns Unknown once the kubelet stops posting its status).
     */
    private static void stop(Invocation inv, String unit) {
        inv.host().store().update(s -> {
            SimulationState.Host h = s.hosts.get(inv.host().hostname());
            h.active.remove(unit);
            if ("haproxy".equals(unit)) {
                h.haproxyConfig = null;
            }
            return null;
        });
    }

    /** Reads and checks haproxy.cfg; on success haproxy runs with it, on failure the old config stays. */
    private static int loadHaproxyConfig(Invocation inv, String unit) throws IOException {
        if (!reexecHaproxy(inv)) {
            inv.err().println("Job for " + unit + ".service failed because the control process exited with error "
                    + "code.");
            inv.err().println("See \"systemctl status " + unit + ".service\" and \"journalctl -xeu " + unit
                    + ".service\" for details.");
            return 1;
        }
        return 0;
    }

    /**
     * What HAProxy's master does on SIGUSR2 (and what a start or reload ends with): it parses the live haproxy.cfg;
     * when that passes, new workers run it, otherwise the master keeps the old workers (HAProxy 2.6 "waitpid mode").
     *
     * @return whether the running config is now the live file's
     */
    static boolean reexecHaproxy(Invocation inv) throws IOException {
        String path = HaproxyCommand.DEFAULT_CONFIG;
        String text = inv.host().files().exists(path) ? inv.host().files().readString(path) : null;
        if (text == null || !HaproxyConfig.parse(text).problems().isEmpty()) {
            return false;
        }
        inv.host().store().update(s -> {
            s.hosts.get(inv.host().hostname()).haproxyLoaded(text);
            return null;
        });
        return true;
    }
}
