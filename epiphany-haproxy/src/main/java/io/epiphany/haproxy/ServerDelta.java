package io.epiphany.haproxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration change the running HAProxy can take through its runtime API instead of a reload: the two files are
 * the same but for whole {@code server} lines added to or removed from the {@link HaproxyConfig#BACKEND} backend (a
 * master joined or left). A reload re-executes the master, which parses the file again and forks new workers (about
 * 20 ms of CPU per host on Debian 12's 2.6.12, BENCHMARKS.md "Stop 14"); {@code add server} / {@code del server}
 * change the running process in place. Pure: the caller runs the {@link #commands()} with {@link ConfigSwap}, which
 * falls back to the reload when HAProxy refuses any of them.
 *
 * <p>HAProxy facts this relies on (checked against Debian 12's 2.6.12 and its management guide, "add server" /
 * "del server"): a dynamic server does not inherit {@code default-server} ("Health check was not configured on this
 * server, cannot enable" otherwise), so the backend's {@code default-server} words are repeated on it; it is created
 * in maintenance with its checks off ({@code enable health}, then {@code enable server}); only a server in
 * maintenance can be deleted ("Only servers in maintenance mode can be deleted."), and not while connections use it
 * ("Server still has connections attached to it, cannot remove it."), which the fallback reload handles as before
 * (the old workers finish them). HAProxy 2.4 keeps {@code add server} behind {@code experimental-mode on} and has no
 * checks on dynamic servers: there the refusal falls back to the reload, one exec all the same.
 */
final class ServerDelta {
    /** What HAProxy prints for each command that changed something; every other answer line is empty on success. */
    static final List<String> SUCCESS_ANSWERS = List.of("New server registered.", "Server deleted.");

    private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+(\\S+)\\s+(\\S+)((?:\\s+\\S+)*)\\s*$");
    private static final Pattern DEFAULT_SERVER = Pattern.compile("^\\s*default-server((?:\\s+\\S+)*)\\s*$");
    /** The keywords that open a section of HAProxy's configuration. */
    private static final java.util.Set<String> SECTIONS = java.util.Set.of("global", "defaults", "frontend", "backend",
            "listen", "peers", "resolvers", "userlist", "program", "cache", "ring", "mailers", "http-errors");
    /** Words that may travel on the runtime API's line: no {@code ;} (the command separator), no spaces. */
    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9._:/\\[\\]@%+=-]+");

    private final String live;
    private final List<String> commands;

    private ServerDelta(String live, List<String> commands) {
        this.live = live;
        this.commands = List.copyOf(commands);
    }

    /**
     * The runtime-API commands that take a HAProxy running {@code live} to {@code target}, or empty when the change
     * is not only servers added to or removed from {@link HaproxyConfig#BACKEND} (then only a reload applies it).
     */
    static Optional<ServerDelta> between(String live, String target) {
        Optional<Backend> from = Backend.of(live);
        Optional<Backend> to = Backend.of(target);
        if (from.isEmpty() || to.isEmpty() || !from.get().skeleton.equals(to.get().skeleton)) {
            return Optional.empty();
        }
        Map<String, String> before = from.get().servers;
        Map<String, String> after = to.get().servers;
        List<String> commands = new ArrayList<>();
        for (var server : after.entrySet()) {
            String old = before.get(server.getKey());
            if (old != null && !old.equals(server.getValue())) {
                return Optional.empty(); // a changed line (address, mark): the reload
            }
            if (old == null) {
                Optional<List<String>> add = add(server.getKey(), server.getValue(), to.get().defaults);
                if (add.isEmpty()) {
                    return Optional.empty();
                }
                commands.addAll(add.get());
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                String server = HaproxyConfig.BACKEND + "/" + name;
                commands.add("set server " + server + " state maint");
                commands.add("del server " + server);
            }
        }
        return commands.isEmpty() ? Optional.empty() : Optional.of(new ServerDelta(live, commands));
    }

    private static Optional<List<String>> add(String name, String addressAndWords, List<String> defaults) {
        List<String> words = new ArrayList<>(defaults);
        words.addAll(List.of(addressAndWords.strip().split("\\s+")));
        String address = words.remove(defaults.size());
        if (!SAFE_WORD.matcher(name).matches() || !SAFE_WORD.matcher(address).matches()
                || !words.stream().allMatch(w -> SAFE_WORD.matcher(w).matches())) {
            return Optional.empty();
        }
        String server = HaproxyConfig.BACKEND + "/" + name;
        List<String> out = new ArrayList<>();
        out.add(("add server " + server + " " + address + " " + String.join(" ", words)).strip());
        if (words.contains("check")) {
            out.add("enable health " + server);
        }
        if (!words.contains("disabled")) {
            out.add("enable server " + server);
        }
        return Optional.of(out);
    }

    /** The commands in order: additions first (a replaced master's successor serves before it goes), then removals. */
    List<String> commands() {
        return commands;
    }

    /** The file the commands start from: the swap uses them only when the host's live file is this one. */
    String live() {
        return live;
    }

    /** The runtime API's one line: commands separated by {@code ;} (non-interactive mode answers them all). */
    String line() {
        return String.join("; ", commands) + "\n";
    }

    @Override
    public String toString() {
        return "ServerDelta" + commands;
    }

    /** The backend's server lines by name, its default-server words, and everything else of the file. */
    private record Backend(List<String> skeleton, Map<String, String> servers, List<String> defaults) {
        static Optional<Backend> of(String config) {
            List<String> skeleton = new ArrayList<>();
            Map<String, String> servers = new LinkedHashMap<>();
            List<String> defaults = new ArrayList<>();
            boolean inBackend = false;
            for (String line : config.split("\n", -1)) {
                String t = line.strip();
                String[] w = t.split("\\s+");
                if (SECTIONS.contains(w[0])) {
                    inBackend = w[0].equals("backend") && w.length > 1 && w[1].equals(HaproxyConfig.BACKEND);
                }
                Matcher server = SERVER.matcher(line);
                Matcher defaultServer = DEFAULT_SERVER.matcher(line);
                if (!inBackend && (server.matches() || defaultServer.matches())) {
                    return Optional.empty(); // servers or defaults elsewhere: not a file this class knows
                }
                if (inBackend && server.matches()) {
                    if (servers.put(server.group(1), server.group(2) + server.group(3)) != null) {
                        return Optional.empty(); // a name twice: HAProxy refuses the file anyway
                    }
                    continue;
                }
                if (inBackend && defaultServer.matches() && !defaultServer.group(1).isBlank()) {
                    defaults.addAll(List.of(defaultServer.group(1).strip().split("\\s+")));
                }
                skeleton.add(line);
            }
            return Optional.of(new Backend(skeleton, servers, defaults));
        }
    }
}
