package io.epiphany.testkit.sim;

import java.util.List;

/**
 * SIMULATED {@code id}: {@code id -u}, {@code -g}, {@code -un}, {@code -gn}, optionally for a named user. A simulated
 * host has two accounts: root (0) and the SSH login user (1000, with a group of the same name).
 */
final class Id implements Program {
    private static final int LOGIN_ID = 1000;

    static boolean known(Invocation inv, String name) {
        return name.isEmpty() || name.equals("root") || name.equals("0") || name.equals(inv.login())
                || (!"root".equals(inv.login()) && name.equals(String.valueOf(LOGIN_ID)));
    }

    @Override
    public int run(Invocation inv) {
        List<String> a = inv.args();
        if (a.isEmpty() || a.size() > 2 || !a.get(0).matches("-[ug]n?")) {
            return inv.fail(1, "only 'id -u|-g|-un|-gn [user]' is supported by the SIMULATED host");
        }
        String user = a.size() == 2 ? a.get(1) : inv.user();
        if (!user.equals("root") && !user.equals(inv.login())) {
            return inv.fail(1, "'" + user + "': no such user");
        }
        inv.out().println(a.get(0).endsWith("n") ? user : String.valueOf(user.equals("root") ? 0 : LOGIN_ID));
        return 0;
    }

    @Override
    public boolean changesState(List<String> args) {
        return false;
    }
}
