package io.epiphany.testkit.sim;

import io.epiphany.testkit.sim.kube.ClusterAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SIMULATED {@code socat stdio UNIX-CONNECT:<socket>} speaking to the host's SIMULATED HAProxy's runtime API (the
 * {@code stats socket} of the config HAProxy loaded). It knows {@code show stat} (CSV: a subset of the real columns,
 * in the real order, with the real header line), {@code set server B/S state ready|drain|maint},
 * {@code set weight B/S N[%]}, {@code shutdown sessions server B/S}, {@code add server}, {@code del server},
 * {@code enable health|server B/S} (dynamic servers, as 2.6 takes them), several separated by {@code ;}, and answers
 * errors with HAProxy's texts (src/cli.c, src/server.c: "No such backend.", "No such server.", the state usage line).
 * As in real HAProxy, what the API changed lasts until HAProxy (re)loads its config; the config's {@code weight 0}
 * and {@code disabled} are read at load. A server is UP when its master's apiserver runs (the simulation has no
 * network faults and no long-lived connections: {@code scur} is always 0, a check takes 1 ms).
 *
 * <p>Until its first check a server is {@code UP 1/<fall>} with check status {@code INI}, as real HAProxy shows it
 * (measured on Debian 12's 2.6.12: docs/host-commands.md, "When a new server is first checked"): the servers of a
 * (re)loaded config are first checked spread over {@code fastinter} ({@code fastinter * (i + 1) / (n + 1)} for the
 * i-th of n), a server added through the runtime API {@code downinter} after {@code enable health}. SIMULATED: those
 * times run {@value #CHECK_TIME_SCALE} times faster than the configured ones, so tests see the state without waiting
 * seconds.
 */
final class Socat implements Program {
    private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+(\\S+)\\s+(\\S+)(.*)$");
    private static final Pattern WORD_VALUE = Pattern.compile("\\s(fastinter|downinter|inter|fall)\\s+(\\S+)");
    /** SIMULATED: how much faster than configured the first checks come (see the class Javadoc). */
    static final int CHECK_TIME_SCALE = 50;
    private static final Pattern SOCKET = Pattern.compile("(?m)^\\s*stats\\s+socket\\s+(\\S+)");
    private static final String HEADER = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,"
            + "eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,"
            + "lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,addr,";

    /** One server as the running HAProxy has it; changed only under its {@link Runtime}'s lock. */
    private static final class Server {
        final String address;
        /** {@code ready}, {@code drain} or {@code maint}. */
        String admin;
        String weight;
        /** It has a {@code check} keyword. */
        final boolean checkConfigured;
        /** Its checks run ({@code enable health} turns them on for an added server). */
        boolean checksOn;
        /** When its first check is due ({@link Socat#nowNanos}'s clock): until then {@code UP 1/<fall>}, INI. */
        long firstCheckDue;
        /** Its {@code downinter}, scaled (see {@link Socat#checkTime}). */
        final long downinter;
        final String fall;

        Server(String address, String admin, String weight, String words, boolean checksOn) {
            this.address = address;
            this.admin = admin;
            this.weight = weight;
            this.checkConfigured = words.contains(" check ");
            this.checksOn = checksOn;
            this.downinter = checkTime(words, "downinter");
            this.fall = wordValue(words, "fall").orElse("3");
        }

        boolean checked() {
            return checkConfigured && checksOn;
        }
    }

    /** Runtime state of one host's running HAProxy: the config it loaded and its servers, by backend and name. */
    private static final class Runtime {
        /** The config HAProxy loaded, with the servers the runtime API added or deleted since (what it routes to). */
        String loadedConfig;
        final Map<String, Map<String, Server>> backends = new LinkedHashMap<>();

        /** When HAProxy read {@link #loadedConfig} (epoch milliseconds). */
        final long loadedAt;

        Runtime(String loadedConfig, long loadedAt) {
            this.loadedConfig = loadedConfig;
            this.loadedAt = loadedAt;
            List<Server> checked = new ArrayList<>();
            List<Long> spreads = new ArrayList<>();
            String backend = null;
            String defaults = "";
            for (String line : loadedConfig.split("\n")) {
                String t = line.strip();
                if (t.startsWith("backend ") || t.startsWith("listen ")) {
                    backend = t.split("\\s+")[1];
                    backends.put(backend, new LinkedHashMap<>());
                } else if (t.startsWith("frontend ") || t.equals("defaults") || t.equals("global")) {
                    backend = null;
                }
                if (backend != null && t.startsWith("default-server ")) {
                    defaults = t.substring("default-server".length()) + " ";
                } else if (backend == null) {
                    defaults = "";
                }
                Matcher m = SERVER.matcher(line);
                if (backend != null && m.matches()) {
                    String opts = " " + m.group(3) + " ";
                    String admin = opts.contains(" disabled ") ? "maint" : "ready";
                    String weight = opts.contains(" weight 0 ") ? "0" : "1";
                    String words = " " + defaults + opts;
                    Server server = new Server(m.group(2), admin, weight, words, true);
                    backends.get(backend).put(m.group(1), server);
                    if (server.checkConfigured) {
                        checked.add(server);
                        spreads.add(checkTime(words, "fastinter"));
                    }
                }
            }
            for (int i = 0; i < checked.size(); i++) {
                checked.get(i).firstCheckDue = loadedAt * 1_000_000L + spreads.get(i) * (i + 1) / (checked.size() + 1);
            }
        }
    }

    /**
     * A check interval of the server's words in nanoseconds, divided by {@link #CHECK_TIME_SCALE}: {@code fastinter}
     * and {@code downinter} default to {@code inter}, which defaults to 2 s (HAProxy's configuration manual).
     */
    private static long checkTime(String words, String name) {
        String value = wordValue(words, name).or(() -> wordValue(words, "inter")).orElse("2s");
        return HaproxyTime.nanos(value).orElse(0) / CHECK_TIME_SCALE;
    }

    /** The clock of the first checks: epoch milliseconds in nanoseconds, as the hosts' state records loads. */
    private static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /** The last value of a keyword among a server's words (a server line's own come after default-server's). */
    private static java.util.Optional<String> wordValue(String words, String name) {
        Matcher m = WORD_VALUE.matcher(words);
        String last = null;
        while (m.find()) {
            if (m.group(1).equals(name)) {
                last = m.group(2);
            }
        }
        return java.util.Optional.ofNullable(last);
    }

    private final Map<String, Runtime> runtimes = new ConcurrentHashMap<>();

    @Override
    public boolean changesState(List<String> args) {
        // What is on stdin decides, which the server does not see here. Counted as a read: the runtime API changes only
        // the running process (a reload undoes it), and the SDK's drain also rewrites the config file, which counts.
        return false;
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        if (a.size() != 2 || !a.get(0).equals("stdio") || !a.get(1).toUpperCase().startsWith("UNIX-CONNECT:")) {
            return error(inv, "E SIMULATED socat knows only 'socat stdio UNIX-CONNECT:<socket>'");
        }
        String path = a.get(1).substring("UNIX-CONNECT:".length());
        String hostname = inv.host().hostname();
        String[] loaded = new String[1];
        long loadedAt = inv.host().store().read(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            loaded[0] = h.active.contains("haproxy") ? h.haproxyConfig : null;
            return h.haproxyLoadedAt;
        });
        // socat 1.7.4 (Debian 12) as seen on the real-OS fleet: E connect(, AF=1 "<path>", <len + 2>): <strerror>
        String connect = "E connect(, AF=1 \"" + path + "\", " + (path.length() + 2) + "): ";
        Matcher socket = SOCKET.matcher(loaded[0] == null ? "" : loaded[0]);
        if (loaded[0] == null || !socket.find() || !socket.group(1).equals(path)) {
            // A stopped HAProxy leaves its socket file behind (refused, as on the fleet); approximated here by the
            // config on disk declaring that socket. Never started with it: no such file.
            String onDisk = inv.host().files().exists(HaproxyCommand.DEFAULT_CONFIG)
                    ? inv.host().files().readString(HaproxyCommand.DEFAULT_CONFIG) : "";
            Matcher declared = SOCKET.matcher(onDisk);
            boolean leftBehind = declared.find() && declared.group(1).equals(path);
            return error(inv, connect + (leftBehind ? "Connection refused" : "No such file or directory"));
        }
        if (!inv.root()) {
            // the SDK's socket is mode 600, owned by root
            return error(inv, connect + "Permission denied");
        }
        // a (re)load starts a new runtime (a runtime-API change rewrites the config text, not the load time)
        Runtime rt = runtimes.compute(hostname, (k, old) -> old != null && old.loadedAt == loadedAt
                && old.loadedConfig.equals(loaded[0]) ? old : new Runtime(loaded[0], loadedAt));
        String input = new String(inv.stdin().readAllBytes(), StandardCharsets.UTF_8).strip();
        StringBuilder out = new StringBuilder();
        synchronized (rt) {
            for (String command : input.split(";")) {
                out.append(answer(inv, rt, command.strip()));
            }
            String running = withRuntimeServers(rt);
            if (!running.equals(rt.loadedConfig)) {
                // the simulation routes a host's requests by its running HAProxy's servers: dynamic ones included
                String before = rt.loadedConfig;
                rt.loadedConfig = running;
                inv.host().store().update(st -> {
                    SimulationState.Host h = st.hosts.get(hostname);
                    if (before.equals(h.haproxyConfig)) {
                        h.haproxyConfig = running;
                    }
                    return null;
                });
            }
        }
        inv.out().print(out);
        return 0;
    }

    private static String answer(Invocation inv, Runtime rt, String command) {
        String[] w = command.split("\\s+");
        if (command.equals("show stat")) {
            return showStat(inv, rt);
        }
        if (w.length == 5 && w[0].equals("set") && w[1].equals("server") && w[3].equals("state")) {
            return withServer(rt, w[2], s -> {
                if (!List.of("ready", "drain", "maint").contains(w[4])) {
                    return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
                }
                s.admin = w[4];
                return "\n";
            });
        }
        if (w.length == 4 && w[0].equals("set") && w[1].equals("weight")) {
            return withServer(rt, w[2], s -> {
                String v = w[3].endsWith("%") ? w[3].substring(0, w[3].length() - 1) : w[3];
                if (!v.matches("\\d{1,3}")) {
                    return "Invalid weight.\n\n";
                }
                s.weight = w[3].endsWith("%") ? (Integer.parseInt(v) == 0 ? "0" : s.weight) : v;
                return "\n";
            });
        }
        if (w.length == 4 && w[0].equals("shutdown") && w[1].equals("sessions") && w[2].equals("server")) {
            return withServer(rt, w[3], s -> "\n");
        }
        if (w.length >= 4 && w[0].equals("add") && w[1].equals("server")) {
            return addServer(rt, w);
        }
        if (w.length == 3 && w[0].equals("del") && w[1].equals("server")) {
            return delServer(rt, w[2]);
        }
        if (w.length == 3 && w[0].equals("enable") && (w[1].equals("health") || w[1].equals("server"))) {
            return withServer(rt, w[2], s -> {
                if (w[1].equals("server")) {
                    s.admin = "ready";
                    return "\n";
                }
                if (!s.checkConfigured) {
                    return "Health check was not configured on this server, cannot enable.\n\n";
                }
                if (!s.checksOn) {
                    s.firstCheckDue = nowNanos() + s.downinter; // first checked after downinter
                }
                s.checksOn = true;
                return "\n";
            });
        }
        return "Unknown command: '" + command + "'\n\n";
    }

    /** The loaded config with each backend's server lines as the runtime now has them (added ones at the end). */
    private static String withRuntimeServers(Runtime rt) {
        StringBuilder out = new StringBuilder();
        String backend = null;
        java.util.Set<String> written = new java.util.HashSet<>();
        String[] lines = rt.loadedConfig.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.startsWith("backend ") || t.startsWith("listen ")) {
                backend = t.split("\\s+")[1];
            } else if (t.startsWith("frontend ") || t.equals("defaults") || t.equals("global")) {
                backend = null;
            }
            Matcher m = SERVER.matcher(lines[i]);
            Map<String, Server> servers = backend == null ? null : rt.backends.get(backend);
            if (servers != null && m.matches() && !servers.containsKey(m.group(1))) {
                continue; // deleted through the runtime API
            }
            if (servers != null && m.matches()) {
                written.add(backend + "/" + m.group(1));
            }
            out.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
            boolean lastOfBackend = servers != null && (i + 1 == lines.length || lines[i + 1].strip().matches(
                    "(backend|listen|frontend|defaults|global)\\b.*"));
            if (lastOfBackend) {
                for (var e : servers.entrySet()) {
                    if (written.add(backend + "/" + e.getKey())) {
                        out.append("    server ").append(e.getKey()).append(' ').append(e.getValue().address)
                                .append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /** Keywords HAProxy 2.6 takes on a dynamic server that the SDK's configuration uses (src/server.c "add server"). */
    private static final java.util.Set<String> DYNAMIC_FLAGS = java.util.Set.of("check", "check-ssl", "disabled");
    private static final java.util.Set<String> DYNAMIC_WITH_VALUE = java.util.Set.of("verify", "inter", "fastinter",
            "downinter", "fall", "rise", "observe", "error-limit", "on-error", "weight");

    /**
     * {@code add server B/S ADDR [keywords]}: created in maintenance with its checks off, as HAProxy 2.6 does (no
     * {@code default-server} applies to it); answers as measured on Debian 12's 2.6.12.
     */
    private static String addServer(Runtime rt, String[] w) {
        int slash = w[2].indexOf('/');
        if (slash < 0) {
            return "Require 'backend/server'.\n\n";
        }
        Map<String, Server> servers = rt.backends.get(w[2].substring(0, slash));
        if (servers == null) {
            return "No such backend.\n";
        }
        String name = w[2].substring(slash + 1);
        if (servers.containsKey(name)) {
            return "Already exists a server with the same name in backend.\n\n";
        }
        String weight = "1";
        for (int i = 4; i < w.length; i++) {
            if (DYNAMIC_WITH_VALUE.contains(w[i]) && i + 1 < w.length) {
                if (w[i].equals("weight")) {
                    weight = w[i + 1];
                }
                i++;
            } else if (!DYNAMIC_FLAGS.contains(w[i])) {
                return "unknown keyword '" + w[i] + "'.\n\n";
            }
        }
        // created in maintenance whatever 'disabled' says; 'enable server' readies it, 'enable health' starts checks
        String words = " " + String.join(" ", java.util.Arrays.asList(w).subList(4, w.length)) + " ";
        servers.put(name, new Server(w[3], "maint", weight, words, false));
        return "New server registered.\n\n";
    }

    /** {@code del server B/S}: only a server in maintenance (the simulation holds no connections on it). */
    private static String delServer(Runtime rt, String backendSlashServer) {
        int slash = backendSlashServer.indexOf('/');
        Map<String, Server> servers = slash < 0 ? null : rt.backends.get(backendSlashServer.substring(0, slash));
        if (servers == null) {
            return slash < 0 ? "Require 'backend/server'.\n" : "No such backend.\n";
        }
        String name = backendSlashServer.substring(slash + 1);
        Server s = servers.get(name);
        if (s == null) {
            return "No such server.\n";
        }
        if (!s.admin.equals("maint")) {
            return "Only servers in maintenance mode can be deleted.\n";
        }
        servers.remove(name);
        return "Server deleted.\n";
    }

    private static String withServer(Runtime rt, String backendSlashServer,
            java.util.function.Function<Server, String> f) {
        int slash = backendSlashServer.indexOf('/');
        if (slash < 0) {
            return "Require 'backend/server'.\n\n";
        }
        Map<String, Server> servers = rt.backends.get(backendSlashServer.substring(0, slash));
        if (servers == null) {
            return "No such backend.\n\n";
        }
        Server s = servers.get(backendSlashServer.substring(slash + 1));
        return s == null ? "No such server.\n\n" : f.apply(s);
    }

    private static String showStat(Invocation inv, Runtime rt) {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        int columns = HEADER.split(",", -1).length;
        for (var backend : rt.backends.entrySet()) {
            List<String[]> rows = new ArrayList<>();
            for (var server : backend.getValue().entrySet()) {
                Server s = server.getValue();
                String ip = s.address.substring(0, Math.max(0, s.address.lastIndexOf(':'))).replaceAll("[\\[\\]]", "");
                String self = inv.host().hostname();
                boolean reachable = inv.host().store().read(st -> ClusterAccess.hostByIp(st, ip)
                        .map(h -> ClusterAccess.reachable(st, self, h)).orElse(true));
                boolean up = reachable && inv.host().store().read(st -> ClusterAccess.hostByIp(st, ip)
                        .map(h -> ClusterAccess.apiserverUp(st, h)).orElse(false));
                boolean checked = s.checked();
                boolean firstCheckDue = checked && nowNanos() < s.firstCheckDue;
                String status = s.admin.equals("maint") ? "MAINT" : !checked ? "no check" : s.admin.equals("drain")
                        ? "DRAIN" : firstCheckDue ? "UP 1/" + s.fall : !up ? "DOWN" : "UP";
                // a cut link drops the check's SYN (timeout); a stopped API server refuses it
                String check = s.admin.equals("maint") || !checked ? "" : firstCheckDue ? "INI" : up ? "L7OK"
                        : reachable ? "L4CON" : "L4TOUT";
                // a drained server's effective weight is 0 (src/server.c: the drain flag zeroes the next eweight)
                String weight = s.admin.equals("drain") ? "0" : s.weight;
                rows.add(row(columns, backend.getKey(), server.getKey(), status, weight, check, s.address));
            }
            for (String[] r : rows) {
                csv.append(String.join(",", r)).append('\n');
            }
            csv.append(String.join(",", row(columns, backend.getKey(), "BACKEND", "UP", "", "", ""))).append('\n');
        }
        return csv.append('\n').toString();
    }

    private static String[] row(int columns, String backend, String server, String status, String weight, String check,
            String addr) {
        String[] r = new String[columns];
        java.util.Arrays.fill(r, "");
        r[0] = backend;
        r[1] = server;
        r[4] = "0"; // scur: the simulation holds no connections open
        r[17] = status;
        r[18] = weight;
        r[36] = check;
        r[38] = check.isEmpty() ? "" : "1";
        r[39] = addr;
        return r;
    }

    private static int error(Invocation inv, String message) {
        inv.err().println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss"))
                + " socat[" + ProcessHandle.current().pid() + "] " + message);
        return 1;
    }
}
