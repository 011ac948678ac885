package io.epiphany.haproxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One backend server as one host's running HAProxy sees it, from its runtime API's {@code show stat} (CSV; columns
 * found by their header names, so the branches' different column counts do not matter).
 *
 * @param backend the backend ({@link HaproxyConfig#BACKEND})
 * @param server the server's name (the master's hostname)
 * @param address {@code ip:port}, empty where this HAProxy does not print it (before 2.0)
 * @param status HAProxy's status: {@code UP}, {@code DOWN}, {@code DRAIN}, {@code MAINT}, {@code UP 1/2} (going down),
 *     {@code DOWN 1/2} (coming back), {@code no check}
 * @param lastCheck the last check's result code ({@code L7OK}, {@code L4CON} refused, {@code L4TOUT} timeout,
 *     {@code L7STS} bad status...); {@code INI} until its first check has run, empty for a server without checks
 * @param lastCheckMillis how long the last check took, when known
 * @param sessions connections open to the server now ({@code scur})
 * @param weight the effective weight (0 while drained)
 */
public record HaproxyServerState(String backend, String server, String address, String status, String lastCheck,
                                 OptionalLong lastCheckMillis, long sessions, int weight) {
    /** Whether HAProxy sends new connections to it. */
    public boolean takesTraffic() {
        return status.startsWith("UP") && weight > 0;
    }

    /**
     * Whether its health check has run at least once. Until then HAProxy shows it {@code UP 1/3} (up, but one failed
     * check takes it out) with check status {@code INI}: after a start or reload for up to {@code fastinter}, for a
     * server added through the runtime API for {@code downinter} (measured on 2.6.12: docs/host-commands.md, "When a
     * new server is first checked"). Its "UP" is HAProxy's assumption then, not a check's answer.
     */
    public boolean checked() {
        return !lastCheck.equals("INI");
    }

    /** Whether its checks (or live traffic) have taken it out. */
    public boolean down() {
        return status.startsWith("DOWN");
    }

    /** The servers (not the FRONTEND/BACKEND summary rows) of {@code show stat}'s CSV. */
    static List<HaproxyServerState> parseShowStat(String csv) {
        List<HaproxyServerState> out = new ArrayList<>();
        Map<String, Integer> columns = null;
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                columns = new HashMap<>();
                String[] names = line.substring(2).split(",", -1);
                for (int i = 0; i < names.length; i++) {
                    columns.put(names[i].trim(), i);
                }
                continue;
            }
            if (columns == null || line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            String server = field(f, columns, "svname");
            if (server.equals("FRONTEND") || server.equals("BACKEND")) {
                continue;
            }
            long duration = number(field(f, columns, "check_duration"));
            out.add(new HaproxyServerState(field(f, columns, "pxname"), server, field(f, columns, "addr"),
                    field(f, columns, "status"), field(f, columns, "check_status").replaceFirst("^\\* ", ""),
                    duration < 0 ? OptionalLong.empty() : OptionalLong.of(duration),
                    Math.max(0, number(field(f, columns, "scur"))), (int) Math.max(0, number(field(f, columns,
                            "weight")))));
        }
        return out;
    }

    private static String field(String[] f, Map<String, Integer> columns, String name) {
        Integer i = columns.get(name);
        return i == null || i >= f.length ? "" : f[i].trim();
    }

    /**
     * A counter, or -1 when empty or unset: HAProxy prints an unset 64-bit field as 18446744073709551615 (seen in
     * 2.6's {@code show stat}), which does not fit a long.
     */
    private static long number(String s) {
        if (!s.matches("\\d{1,18}")) {
            return -1;
        }
        return Long.parseLong(s);
    }
}
