package io.epiphany.testkit.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * SIMULATED {@code systemctl kill}, only as the SDK sends it: {@code --kill-who=main --signal=SIGUSR2 haproxy}, the
 * signal Debian's and RHEL's haproxy.service send from their second {@code ExecReload=} line
 * ({@code kill -USR2 $MAINPID}). Modelled on systemd's src/systemctl/systemctl-kill.c (one {@code KillUnit} D-Bus call
 * per unit, "Failed to kill unit %s: %s" and exit 1 when it fails) and src/core/unit.c (a unit without a main process:
 * "No main process to kill"; a unit systemd does not know: "Unit %s not loaded."). The signal is delivered, so the
 * command succeeds, even when the master then fails to parse the file: it keeps its old workers and says so only in
 * the journal. Any other form of {@code kill} is refused: systemctl's own errors where systemctl refuses too, a
 * SIMULATED one where the real command would do something this model does not.
 */
final class SystemctlKill {
    /** {@code whom} values of systemd's KillUnit (src/core/unit.c, kill_whom_to_string); the default is all. */
    private static final List<String> WHOM = List.of("main", "control", "all");

    private SystemctlKill() {}

    static int run(Invocation inv, List<String> args) throws IOException {
        String whom = "all";
        String signal = "SIGTERM"; // systemctl's default --signal
        List<String> units = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            // getopt_long: --kill-whom= (systemd >= 252) and its abbreviation --kill-who= (the name before it)
            if (a.startsWith("--kill-whom=") || a.startsWith("--kill-who=")) {
                whom = a.substring(a.indexOf('=') + 1);
            } else if (a.startsWith("--signal=")) {
                signal = a.substring("--signal=".length());
            } else if (a.equals("-s") && i + 1 < args.size()) {
                signal = args.get(++i);
            } else if (a.startsWith("-")) {
                inv.err().println("systemctl: unrecognized option '" + a + "'");
                return 1;
            } else {
                units.add(a.endsWith(".service") ? a : a + ".service");
            }
        }
        String sig = signal.startsWith("SIG") ? signal.substring(3) : signal;
        if (!sig.equals("USR2") && !sig.equals("12")) {
            return inv.fail(1, "SIMULATED systemctl kill models only --signal=SIGUSR2, not " + signal);
        }
        if (units.size() != 1) {
            inv.err().println(units.isEmpty() ? "Too few arguments."
                    : "SIMULATED systemctl kill models one unit a call, not " + units);
            return 1;
        }
        String unit = units.get(0);
        if (!WHOM.contains(whom)) {
            // KillUnit's argument check (src/core/dbus-unit.c)
            return failed(inv, unit, "Invalid who argument: " + whom);
        }
        if (!whom.equals("main")) {
            return inv.fail(1, "SIMULATED systemctl kill models only --kill-who=main (" + whom + " would signal "
                    + "HAProxy's workers too)");
        }
        String name = unit.substring(0, unit.length() - ".service".length());
        if (!Systemctl.UNITS.contains(name) || !inv.host().host(h -> h.binaries.contains(name))) {
            return failed(inv, unit, "Unit " + unit + " not loaded.");
        }
        if (!name.equals("haproxy")) {
            return inv.fail(1, "SIMULATED systemctl kill models only haproxy, not " + unit);
        }
        if (!inv.root()) {
            // polkit refuses a non-root caller without an agent (org.freedesktop.systemd1.manage-units)
            return failed(inv, unit, "Access denied");
        }
        if (!inv.host().host(h -> h.active.contains("haproxy"))) {
            return failed(inv, unit, "No main process to kill");
        }
        Systemctl.reexecHaproxy(inv);
        return 0;
    }

    private static int failed(Invocation inv, String unit, String why) {
        inv.err().println("Failed to kill unit " + unit + ": " + why);
        return 1;
    }
}
