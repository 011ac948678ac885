package io.epiphany.testkit.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SIMULATED reading of {@code haproxy.cfg}: sections, binds, backends and server lines, with a syntax check of the
 * parts the SDK renders (the real {@code haproxy -c} runs in the system tests). Problems are reported in haproxy's
 * {@code [ALERT]} style, naming the line.
 */
public final class HaproxyConfig {
    /** What a freshly installed package ships: global and defaults only, no proxy. */
    public static final String PACKAGE_DEFAULT = String.join("\n",
            "# SIMULATED package default",
            "global",
            "\tlog /dev/log local0",
            "\tdaemon",
            "defaults",
            "\tlog global",
            "\tmode http",
            "\ttimeout connect 5000",
            "\ttimeout client 50000",
            "\ttimeout server 50000",
            "");

    private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen");
    private static final Set<String> GLOBAL_KEYWORDS = Set.of("log", "chroot", "stats", "user", "group", "daemon",
            "maxconn", "nbthread", "pidfile", "ca-base", "crt-base", "master-worker", "hard-stop-after",
            "spread-checks", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-bind-options",
            "ssl-default-server-options", "ssl-default-server-ciphers", "ssl-default-server-ciphersuites", "uid",
            "gid", "ulimit-n", "node", "description",
            // HAProxy's internal HTTP client: from 2.6 only
            "httpclient.ssl.verify", "httpclient.ssl.ca-file", "httpclient.resolvers.id",
            "httpclient.resolvers.prefer");
    private static final Set<String> PROXY_KEYWORDS = Set.of("mode", "log", "option", "timeout", "retries",
            "balance", "default_backend", "use_backend", "bind", "server", "default-server", "maxconn",
            "http-request", "http-response", "tcp-request", "tcp-response", "acl", "errorfile", "stats",
            "http-check", "tcp-check", "monitor-uri", "fullconn", "hash-type", "stick-table", "stick", "cookie",
            "compression", "redirect", "description", "disabled", "enabled", "backlog", "capture", "http-reuse",
            "monitor", "unique-id-format", "log-format", "email-alert");
    private static final Set<String> TIMEOUTS = Set.of("connect", "client", "server", "check", "queue",
            "http-request", "http-keep-alive", "tunnel", "client-fin", "server-fin", "tarpit");
    private static final Set<String> SERVER_FLAGS = Set.of("check", "backup", "ssl", "disabled", "enabled",
            "check-ssl", "send-proxy", "send-proxy-v2", "no-check", "resolve-prefer", "agent-check", "no-ssl");
    private static final Set<String> SERVER_OPTIONS = Set.of("inter", "fastinter", "downinter", "fall", "rise",
            "weight", "maxconn", "maxqueue", "port", "addr", "verify", "ca-file", "crt", "sni", "check-sni",
            "slowstart", "on-error", "on-marked-down", "on-marked-up", "observe", "error-limit", "init-addr",
            "resolvers", "cookie", "pool-max-conn", "pool-purge-delay", "alpn", "proto", "id");
    private static final Set<String> PROXY_SECTIONS = Set.of("frontend", "backend", "listen");

    /**
     * One proxy section ({@code frontend}, {@code backend} or {@code listen}).
     *
     * @param servers the server addresses ({@code ip:port}), in order
     * @param serverNames the servers' names, in the same order
     */
    public record Proxy(String kind, String name, List<String> binds, List<String> servers, List<String> serverNames,
            Optional<String> backend) {}

    private final Map<String, Proxy> proxies;
    private final List<String> problems;

    private HaproxyConfig(Map<String, Proxy> proxies, List<String> problems) {
        this.proxies = proxies;
        this.problems = problems;
    }

    /** The sections that can take traffic to servers ({@code backend} and {@code listen}), by name, in order. */
    public Map<String, Proxy> backends() {
        Map<String, Proxy> out = new LinkedHashMap<>();
        proxies.forEach((key, p) -> {
            if (key.startsWith("be:")) {
                out.put(p.name(), p);
            }
        });
        return out;
    }

    /** Alerts found; empty when the file is valid for the SIMULATED check. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The server addresses ({@code ip:port}) traffic to {@code port} on loopback goes to, in order; empty when no
     * proxy binds that port on loopback or on all addresses.
     */
    public Optional<List<String>> serversForLoopbackPort(int port) {
        for (Proxy p : proxies.values()) {
            for (String bind : p.binds()) {
                int colon = bind.lastIndexOf(':');
                String address = colon < 0 ? "" : bind.substring(0, colon);
                String bindPort = colon < 0 ? bind : bind.substring(colon + 1);
                boolean loopback = address.isEmpty() || address.equals("*") || address.equals("0.0.0.0")
                        || address.equals("127.0.0.1") || address.equals("localhost") || address.equals("::")
                        || address.equals("[::]");
                if (loopback && bindPort.equals(String.valueOf(port))) {
                    if ("listen".equals(p.kind())) {
                        return Optional.of(p.servers());
                    }
                    Proxy backend = p.backend().map(b -> proxies.get("be:" + b)).orElse(null);
                    return Optional.of(backend == null ? List.of() : backend.servers());
                }
            }
        }
        return Optional.empty();
    }

    /** {@link #parse(String, String)} for the SIMULATED host's HAProxy, {@value HaproxyCommand#VERSION}. */
    public static HaproxyConfig parse(String text) {
        return parse(text, HaproxyCommand.VERSION);
    }

    /**
     * Reads {@code text} as HAProxy {@code version} (dotted, e.g. {@code 2.6.12}) would: that version decides the
     * conditional blocks ({@code .if version_atleast(2.6)}).
     */
    public static HaproxyConfig parse(String text, String version) {
        HaproxyConditions conditions = new HaproxyConditions(version);
        Map<String, Proxy> proxies = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String section = null;
        String name = null;
        List<String> binds = null;
        List<String> servers = null;
        List<String> serverNames = null;
        String[] backend = {null};
        List<String[]> backendRefs = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String raw = lines[n];
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            String at = "parsing [haproxy.cfg:" + (n + 1) + "] : ";
            String[] w = line.split("\\s+");
            String keyword = w[0];
            if (keyword.startsWith(".")) {
                conditions.directive(at, w, line).ifPresent(problems::add);
                continue;
            }
            if (!conditions.active()) {
                continue;
            }
            if (SECTIONS.contains(keyword)) {
                if (section != null && PROXY_SECTIONS.contains(section)) {
                    register(proxies, new Proxy(section, name, binds, servers, serverNames,
                            Optional.ofNullable(backend[0])));
                }
                section = keyword;
                name = w.length > 1 ? w[1] : null;
                binds = new ArrayList<>();
                servers = new ArrayList<>();
                serverNames = new ArrayList<>();
                backend[0] = null;
                if (PROXY_SECTIONS.contains(keyword) && name == null) {
                    problems.add(at + "'" + keyword + "' expects <name> as an argument.");
                    name = "<unnamed-" + n + ">";
                }
                // a frontend and a backend may share a name (their capabilities do not overlap); a listen has both
                boolean clash = ("backend".equals(keyword) ? false : proxies.containsKey("fe:" + name))
                        || ("frontend".equals(keyword) ? false : proxies.containsKey("be:" + name));
                if (name != null && clash && PROXY_SECTIONS.contains(keyword)) {
                    problems.add(at + keyword + " '" + name + "' has the same name as another proxy.");
                }
                continue;
            }
            if (section == null) {
                problems.add(at + "unknown keyword '" + keyword + "' out of section.");
                continue;
            }
            if ("global".equals(section)) {
                boolean tooNew = keyword.startsWith("httpclient.") && HaproxyConditions.compare(version, "2.6") < 0;
                if (!GLOBAL_KEYWORDS.contains(keyword) && !keyword.startsWith("tune.") || tooNew) {
                    problems.add(at + "unknown keyword '" + keyword + "' in 'global' section");
                } else if (keyword.equals("httpclient.ssl.verify")
                        && (w.length != 2 || !Set.of("none", "required").contains(w[1]))) {
                    problems.add(at + "'" + keyword + "' expects 'none' or 'required' as argument.");
                }
                continue;
            }
            if (!PROXY_KEYWORDS.contains(keyword)) {
                problems.add(at + "unknown keyword '" + keyword + "' in '" + section + "' section");
                continue;
            }
            switch (keyword) {
                case "bind" -> {
                    if (section.equals("backend") || section.equals("defaults")) {
                        problems.add(at + "'bind' not allowed in '" + section + "' section.");
                    } else if (w.length < 2 || !validAddress(w[1], true)) {
                        problems.add(at + "'bind' expects [addr1]:port1[-end1]{,[addr]:port[-end]}... as arguments.");
                    } else {
                        binds.add(w[1]);
                    }
                }
                case "server" -> {
                    if (section.equals("frontend") || section.equals("defaults")) {
                        problems.add(at + "'server' not allowed in '" + section + "' section.");
                    } else if (w.length < 3) {
                        problems.add(at + "'server' expects <name> and <addr>[:<port>] as arguments.");
                    } else if (!validAddress(w[2], false)) {
                        problems.add(at + "'server " + w[1] + "' : invalid address: '" + w[2] + "'");
                    } else {
                        checkServerParams(at, w, problems);
                        servers.add(w[2]);
                        serverNames.add(w[1]);
                    }
                }
                case "timeout" -> {
                    if (w.length < 3 || !TIMEOUTS.contains(w[1]) || HaproxyTime.nanos(w[2]).isEmpty()) {
                        problems.add(at + "'timeout' expects a known timeout name and a time value, got '"
                                + line + "'");
                    }
                }
                case "default_backend", "use_backend" -> {
                    if (section.equals("backend")) {
                        problems.add(at + "'" + keyword + "' not allowed in 'backend' section.");
                    } else if (w.length < 2) {
                        problems.add(at + "'" + keyword + "' expects a backend name.");
                    } else {
                        backend[0] = w[1];
                        backendRefs.add(new String[] {name == null ? section : name, w[1]});
                    }
                }
                case "mode" -> {
                    if (w.length < 2 || !Set.of("tcp", "http", "health").contains(w[1])) {
                        problems.add(at + "unknown proxy mode '" + (w.length < 2 ? "" : w[1]) + "'.");
                    }
                }
                default -> { }
            }
        }
        int lastLine = text.endsWith("\n") ? lines.length - 1 : lines.length;
        conditions.end("parsing [haproxy.cfg:" + lastLine + "] : ").ifPresent(problems::add);
        if (section != null && PROXY_SECTIONS.contains(section)) {
            register(proxies, new Proxy(section, name, binds, servers, serverNames, Optional.ofNullable(backend[0])));
        }
        for (String[] ref : backendRefs) {
            Proxy target = proxies.get("be:" + ref[1]);
            if (target == null || target.kind().equals("frontend")) {
                problems.add("Proxy '" + ref[0] + "': unable to find required default_backend: '" + ref[1] + "'.");
            }
        }
        for (Proxy p : new java.util.LinkedHashSet<>(proxies.values())) {
            if (!p.kind().equals("backend") && p.binds().isEmpty()) {
                problems.add("Proxy '" + p.name() + "' has no 'bind' directive.");
            }
        }
        return new HaproxyConfig(proxies, List.copyOf(problems));
    }

    /** Keyed by capability: "fe:" for frontends, "be:" for backends; a listen section is both. */
    private static void register(Map<String, Proxy> proxies, Proxy p) {
        if (!p.kind().equals("backend")) {
            proxies.put("fe:" + p.name(), p);
        }
        if (!p.kind().equals("frontend")) {
            proxies.put("be:" + p.name(), p);
        }
    }

    private static void checkServerParams(String at, String[] w, List<String> problems) {
        for (int i = 3; i < w.length; i++) {
            if (SERVER_FLAGS.contains(w[i])) {
                continue;
            }
            if (SERVER_OPTIONS.contains(w[i]) && i + 1 < w.length) {
                i++;
                continue;
            }
            problems.add(at + "'server " + w[1] + "' unknown keyword '" + w[i] + "'.");
        }
    }

    private static boolean validAddress(String address, boolean portRequired) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return !portRequired && !address.isEmpty();
        }
        String port = address.substring(colon + 1);
        if (!port.matches("\\d{1,5}")) {
            return false;
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }
}
