package io.epiphany.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns parsed Epiphany YAML documents into a {@link Cluster}, collecting every problem (unknown keys with hints,
 * wrong types, dangling machine references, count mismatches, and the model's own rules) under YAML paths.
 */
final class YamlClusterReader {
    private static final String CLUSTER = EpiphanyYaml.CLUSTER_KIND;
    private static final String CONFIG = EpiphanyYaml.CONFIG_KIND;
    private static final List<String> KINDS = List.of(CLUSTER, EpiphanyYaml.MACHINE_KIND, CONFIG);

    private final List<JsonNode> documents;
    private final List<Problem> problems = new ArrayList<>();
    /** Builder property prefix → YAML path, for translating the model's own problems. */
    private final Map<String, String> machinePaths = new HashMap<>();
    /** SSH settings begun from admin_user, completed by the configuration document. */
    private SshSettings.Builder sshSettings;

    YamlClusterReader(List<JsonNode> documents) {
        this.documents = documents;
    }

    Cluster read() {
        Cluster.Builder b = Cluster.builder();
        JsonNode clusterDoc = null;
        JsonNode configDoc = null;
        Map<String, Node> machineDocs = new LinkedHashMap<>();
        for (int i = 0; i < documents.size(); i++) {
            JsonNode doc = documents.get(i);
            String where = "document " + (i + 1);
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue; // an empty document between two '---' is legal YAML
            }
            if (!doc.isObject()) {
                // what it is, not what it says: a wrong file (/etc/passwd, a key) must not be echoed
                problems.add(new Problem(where, describe(doc), "each document must be a mapping with a 'kind'; is "
                        + "this an Epiphany cluster description?"));
                continue;
            }
            JsonNode kindNode = doc.get("kind");
            String kind = kindNode != null && kindNode.isTextual() ? kindNode.asText() : null;
            if (kind == null) {
                problems.add(new Problem(where + ".kind", kindNode == null || kindNode.isNull() ? null : brief(kindNode),
                        (kindNode == null || kindNode.isNull() ? "missing" : "must be text") + "; use one of " + KINDS));
            } else if (kind.equals(CLUSTER)) {
                if (clusterDoc != null) {
                    problems.add(new Problem(where, CLUSTER, "a second epiphany-cluster document; keep exactly one"));
                } else {
                    clusterDoc = doc;
                }
            } else if (kind.equals(CONFIG)) {
                if (configDoc != null) {
                    problems.add(new Problem(where, CONFIG, "a second " + CONFIG + " document; keep at most one"));
                } else {
                    configDoc = doc;
                }
            } else if (kind.equals(EpiphanyYaml.MACHINE_KIND)) {
                Node machine = new Node(doc, where);
                machine.keys("kind", "provider", "name", "title", "specification");
                String name = machine.string("name");
                if (name == null) {
                    problems.add(new Problem(where + ".name", null, "a machine document needs a name"));
                } else if (machineDocs.containsKey(name)) {
                    problems.add(new Problem(machinePath(name), name, "machine '" + name
                            + "' is defined twice; keep one infrastructure/machine document per name"));
                } else {
                    machineDocs.put(name, new Node(doc, EpiphanyYaml.MACHINE_KIND + " '" + name + "'"));
                }
            } else {
                problems.add(new Problem(where + ".kind", kind, "unknown document kind" + YamlValues.didYouMean(kind, KINDS)
                        + "; this SDK reads " + KINDS));
            }
        }
        if (clusterDoc == null) {
            problems.add(new Problem(CLUSTER, null, "missing: add a 'kind: epiphany-cluster' document"));
        } else {
            readClusterDocument(new Node(clusterDoc, CLUSTER), machineDocs, b);
        }
        if (configDoc != null) {
            readConfigDocument(new Node(configDoc, CONFIG), b);
        }
        Cluster cluster;
        try {
            cluster = b.build();
        } catch (ConfigException e) {
            e.problems().forEach(p -> problems.add(p.atField(yamlPath(p.field()))));
            throw new ConfigException(dedupe(problems));
        } catch (RuntimeException e) {
            // a value the builder refused outright: report it, never leak the exception type
            problems.add(new Problem(CLUSTER, null, "invalid value: " + e.getMessage()));
            throw new ConfigException(dedupe(problems));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(dedupe(problems));
        }
        return cluster;
    }

    private static List<Problem> dedupe(List<Problem> problems) {
        Set<String> seen = new HashSet<>();
        List<Problem> out = new ArrayList<>();
        for (Problem p : problems) {
            if (seen.add(p.toString())) {
                out.add(p);
            }
        }
        return out;
    }

    private void readClusterDocument(Node doc, Map<String, Node> machineDocs, Cluster.Builder b) {
        doc.keys("kind", "title", "provider", "name", "specification");
        Node spec = doc.object("specification");
        if (spec == null) {
            doc.reportMissing("specification", "give name, admin_user and components");
            return;
        }
        spec.keys("name", "admin_user", "components", "prefix", "cloud");
        String name = spec.string("name");
        if (name == null) {
            name = doc.string("name");
        }
        if (name != null) {
            b.name(name);
        }
        SshSettings.Builder ssh = SshSettings.builder();
        Node admin = spec.object("admin_user");
        if (admin != null) {
            admin.keys("name", "key_path");
            admin.ifString("name", ssh::user);
            admin.ifString("key_path", p -> path(admin.path("key_path"), p).ifPresent(ssh::privateKey));
        }
        sshSettings = ssh;
        Node components = spec.object("components");
        if (components == null) {
            spec.reportMissing("components", "list the kubernetes_master and kubernetes_node machines");
            b.ssh(ssh.build());
            return;
        }
        Set<String> used = new HashSet<>();
        for (String component : components.fieldNames()) {
            Node comp = components.object(component);
            if (comp == null) {
                continue;
            }
            comp.keys("count", "machines", "configuration");
            Integer count = comp.integer("count");
            List<String> names = comp.strings("machines");
            boolean known = component.equals(EpiphanyYaml.MASTER_COMPONENT) || component.equals(EpiphanyYaml.NODE_COMPONENT);
            if (!known) {
                if ((count != null && count > 0) || !names.isEmpty()) {
                    problems.add(new Problem(comp.path("count"), count, "component '" + component + "' is not handled "
                            + "by this SDK" + YamlValues.didYouMean(component, List.of(EpiphanyYaml.MASTER_COMPONENT,
                            EpiphanyYaml.NODE_COMPONENT)) + "; set its count to 0"));
                }
                continue;
            }
            if (count != null && count != names.size()) {
                problems.add(new Problem(comp.path("count"), count, "count is " + count + " but " + names.size()
                        + " machines are listed; make them agree"));
            }
            boolean master = component.equals(EpiphanyYaml.MASTER_COMPONENT);
            List<Machine> machines = new ArrayList<>();
            for (String machineName : names) {
                Node machineDoc = machineDocs.get(machineName);
                if (machineDoc == null) {
                    problems.add(new Problem(comp.path("machines"), machineName, "machine '" + machineName + "' is "
                            + "referenced but not defined: add a 'kind: infrastructure/machine' document with name: "
                            + machineName + YamlValues.didYouMean(machineName, machineDocs.keySet())));
                    continue;
                }
                if (!used.add(machineName)) {
                    problems.add(new Problem(comp.path("machines"), machineName, "machine '" + machineName
                            + "' is listed twice; a machine is either one master or one node"));
                    continue;
                }
                String prefix = (master ? "masters[" : "nodes[") + machines.size() + "]";
                machinePaths.put(prefix, machinePath(machineName));
                readMachine(machineDoc).ifPresent(machines::add);
            }
            if (master) {
                b.masters(machines);
            } else {
                b.nodes(machines);
            }
        }
        machineDocs.keySet().stream().filter(unused -> !used.contains(unused)).forEach(unused -> problems.add(
                new Problem(EpiphanyYaml.MACHINE_KIND + " '" + unused + "'", unused, "defined but not listed by any "
                        + "component; add it to kubernetes_master or kubernetes_node machines, or remove it")));
        b.ssh(ssh.build());
    }

    private static String machinePath(String name) {
        return EpiphanyYaml.MACHINE_KIND + " '" + name + "' > specification";
    }

    private Optional<Machine> readMachine(Node doc) {
        Node spec = doc.object("specification");
        if (spec == null) {
            doc.reportMissing("specification", "give hostname and ip");
            return Optional.empty();
        }
        spec.keys("hostname", "ip", "ssh_address", "ssh_port", "ssh_user", "host_key_fingerprint", "zone", "labels",
                "taints");
        Machine.Builder m = Machine.builder();
        String hostname = spec.string("hostname");
        String ip = spec.string("ip");
        if (hostname == null) {
            spec.reportMissing("hostname", "give the machine's RFC 1123 hostname");
        }
        if (ip == null) {
            spec.reportMissing("ip", "give the IP the other machines reach it on");
        }
        if (hostname == null || ip == null) {
            return Optional.empty();
        }
        m.hostname(hostname).ip(ip);
        spec.ifString("ssh_address", m::sshAddress);
        spec.ifInteger("ssh_port", m::sshPort);
        spec.ifString("ssh_user", m::sshUser);
        spec.ifString("host_key_fingerprint", m::hostKeyFingerprint);
        spec.ifString("zone", m::zone);
        m.labels(spec.stringMap("labels"));
        for (String t : spec.strings("taints")) {
            try {
                m.addTaint(Taint.of(t));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(spec.path("taints"), t, e.getMessage()));
            }
        }
        return Optional.of(m.build());
    }

    private void readConfigDocument(Node doc, Cluster.Builder b) {
        doc.keys("kind", "title", "provider", "name", "specification");
        Node spec = doc.object("specification");
        if (spec == null) {
            return;
        }
        spec.keys("kubernetes_version", "certificates_dir", "cri_socket", "allow_even_masters", "networking",
                "load_balancer", "api_server", "controller_manager", "scheduler", "encryption", "ssh",
                "image_repository", "host_preparation", "cni");
        spec.ifString("kubernetes_version", b::kubernetesVersion);
        spec.ifString("image_repository", b::imageRepository);
        Node prepNode = spec.object("host_preparation");
        if (prepNode != null) {
            prepNode.keys("enabled", "kubernetes_repository", "container_runtime_repository");
            HostPreparation.Builder hp = HostPreparation.builder();
            prepNode.ifBoolean("enabled", hp::enabled);
            prepNode.ifString("kubernetes_repository", hp::kubernetesRepository);
            prepNode.ifString("container_runtime_repository", hp::containerRuntimeRepository);
            try {
                b.hostPreparation(hp.build());
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(prepNode.path("kubernetes_repository"), null, e.getMessage()));
            }
        }
        Node cniNode = spec.object("cni");
        if (cniNode != null) {
            cniNode.keys("name", "url", "sha256", "file");
            Cni.Builder cni = Cni.builder();
            cniNode.ifString("name", n -> java.util.Arrays.stream(Cni.Kind.values())
                    .filter(k -> k.name().equalsIgnoreCase(n)).findFirst().ifPresentOrElse(k -> {
                        cni.kind(k);
                        if (k == Cni.Kind.CALICO) {
                            cni.url(Cni.CALICO_URL).sha256(Cni.CALICO_SHA256);
                        } else if (k == Cni.Kind.FLANNEL) {
                            cni.url(Cni.FLANNEL_URL).sha256(Cni.FLANNEL_SHA256);
                        }
                    },
                            () -> problems.add(new Problem(cniNode.path("name"), n,
                                    "unknown CNI; use calico, flannel, manifest or none"))));
            cniNode.ifString("url", cni::url);
            cniNode.ifString("sha256", cni::sha256);
            cniNode.ifString("file", f -> path(cniNode.path("file"), f).ifPresent(cni::file));
            try {
                b.cni(cni.build());
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(new Problem(cniNode.path("name"), null, e.getMessage()));
            }
        }
        spec.ifString("certificates_dir", b::certificatesDir);
        spec.ifString("cri_socket", b::criSocket);
        spec.ifBoolean("allow_even_masters", b::allowEvenMasters);
        Node net = spec.object("networking");
        if (net != null) {
            net.keys("pod_subnet", "service_subnet", "dns_domain");
            Networking.Builder n = Networking.builder();
            net.ifString("pod_subnet", n::podSubnet);
            net.ifString("service_subnet", n::serviceSubnet);
            net.ifString("dns_domain", n::dnsDomain);
            b.networking(n.build());
        }
        Node lbNode = spec.object("load_balancer");
        if (lbNode != null) {
            lbNode.keys("port", "external_endpoint", "check_interval", "fall", "rise");
            LoadBalancer.Builder lb = LoadBalancer.builder();
            lbNode.ifInteger("port", lb::port);
            lbNode.ifString("external_endpoint", lb::externalEndpoint);
            lbNode.ifDuration("check_interval", lb::checkInterval);
            lbNode.ifInteger("fall", lb::fall);
            lbNode.ifInteger("rise", lb::rise);
            b.loadBalancer(lb.build());
        }
        Node apiNode = spec.object("api_server");
        if (apiNode != null) {
            apiNode.keys("admission_plugins", "profiling", "audit", "extra_args", "allow_override");
            ApiServer.Builder api = ApiServer.builder();
            if (apiNode.has("admission_plugins")) {
                api.admissionPlugins(apiNode.strings("admission_plugins"));
            }
            apiNode.ifBoolean("profiling", api::profiling);
            Node auditNode = apiNode.object("audit");
            if (auditNode != null) {
                auditNode.keys("enabled", "policy_file", "log_path", "max_age", "max_backup", "max_size");
                Audit.Builder audit = Audit.builder();
                auditNode.ifBoolean("enabled", audit::enabled);
                auditNode.ifString("policy_file", audit::policyFile);
                auditNode.ifString("log_path", audit::logPath);
                auditNode.ifInteger("max_age", audit::maxAge);
                auditNode.ifInteger("max_backup", audit::maxBackup);
                auditNode.ifInteger("max_size", audit::maxSize);
                api.audit(audit.build());
            }
            api.extraArgs(apiNode.stringMap("extra_args"));
            api.allowOverride(apiNode.strings("allow_override"));
            b.apiServer(api.build());
        }
        Node cm = spec.object("controller_manager");
        if (cm != null) {
            cm.keys("extra_args", "allow_override");
            b.controllerManagerExtraArgs(cm.stringMap("extra_args"));
            b.controllerManagerAllowOverride(cm.strings("allow_override"));
        }
        Node sched = spec.object("scheduler");
        if (sched != null) {
            sched.keys("extra_args", "allow_override");
            b.schedulerExtraArgs(sched.stringMap("extra_args"));
            b.schedulerAllowOverride(sched.strings("allow_override"));
        }
        Node encNode = spec.object("encryption");
        if (encNode != null) {
            encNode.keys("enabled", "provider", "config_file", "key");
            Encryption.Builder enc = Encryption.builder();
            encNode.ifBoolean("enabled", enc::enabled);
            encNode.ifString("provider", p -> {
                Optional<Encryption.Provider> provider = java.util.Arrays.stream(Encryption.Provider.values())
                        .filter(v -> v.yamlName().equals(p)).findFirst();
                provider.ifPresentOrElse(enc::provider, () -> problems.add(new Problem(encNode.path("provider"), p,
                        "unknown provider; use secretbox (recommended) or aescbc")));
            });
            encNode.ifString("config_file", enc::configFile);
            if (encNode.has("key") && !encNode.node.get("key").isValueNode()) {
                // never echo what may be key material
                problems.add(new Problem(encNode.path("key"), "****", "must be a single base64 value"));
            } else {
                encNode.ifString("key", k -> enc.key(Secret.of(k)));
            }
            b.encryption(enc.build());
        }
        Node sshNode = spec.object("ssh");
        if (sshNode != null) {
            SshSettings.Builder ssh = sshSettings != null ? sshSettings : SshSettings.builder();
            sshNode.keys("port", "known_hosts", "host_key_policy", "jump_hosts", "connect_timeout", "auth_timeout",
                    "command_timeout", "connect_attempts", "concurrency", "key_exchange", "address_book",
                    "closed_network");
            sshNode.ifInteger("port", ssh::port);
            sshNode.ifString("known_hosts", p -> path(sshNode.path("known_hosts"), p).ifPresent(ssh::knownHosts));
            sshNode.ifString("host_key_policy", p -> YamlValues.parsePolicy(p).ifPresentOrElse(ssh::hostKeyPolicy,
                    () -> problems.add(new Problem(sshNode.path("host_key_policy"), p,
                            "use strict, accept-new or insecure-accept-all"))));
            if (sshNode.has("jump_hosts")) {
                ssh.jumpHosts(sshNode.strings("jump_hosts"));
            }
            if (sshNode.has("key_exchange")) {
                ssh.keyExchange(sshNode.strings("key_exchange"));
            }
            sshNode.ifDuration("connect_timeout", ssh::connectTimeout);
            sshNode.ifDuration("auth_timeout", ssh::authTimeout);
            sshNode.ifDuration("command_timeout", ssh::commandTimeout);
            sshNode.ifInteger("connect_attempts", ssh::connectAttempts);
            sshNode.ifInteger("concurrency", ssh::concurrency);
            if (sshNode.has("address_book")) {
                ssh.addressBook(sshNode.stringMap("address_book"));
            }
            sshNode.ifString("closed_network", ssh::closedNetwork);
            try {
                b.ssh(ssh.build());
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(sshNode.path(e.getMessage().contains("closedNetwork") ? "closed_network"
                        : "address_book"), null, e.getMessage()));
            }
        }
    }

    private Optional<Path> path(String where, String text) {
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            problems.add(new Problem(where, text, "not a valid file path"));
            return Optional.empty();
        }
    }

    /** Where a builder property lives in the YAML. */
    private String yamlPath(String field) {
        for (Map.Entry<String, String> e : machinePaths.entrySet()) {
            if (field.startsWith(e.getKey() + ".")) {
                return e.getValue() + "." + snakePath(field.substring(e.getKey().length() + 1));
            }
            if (field.equals(e.getKey())) {
                return e.getValue();
            }
        }
        String spec = " > specification.";
        if (field.equals("name")) {
            return CLUSTER + spec + "name";
        } else if (field.equals("masters")) {
            return CLUSTER + spec + "components.kubernetes_master";
        } else if (field.equals("nodes")) {
            return CLUSTER + spec + "components.kubernetes_node";
        } else if (field.equals("ssh.user")) {
            return CLUSTER + spec + "admin_user.name";
        } else if (field.equals("ssh.privateKey")) {
            return CLUSTER + spec + "admin_user.key_path";
        } else if (field.startsWith("controllerManagerExtraArgs")) {
            return CONFIG + spec + "controller_manager.extra_args" + field.substring("controllerManagerExtraArgs".length());
        } else if (field.startsWith("schedulerExtraArgs")) {
            return CONFIG + spec + "scheduler.extra_args" + field.substring("schedulerExtraArgs".length());
        } else if (field.equals("controllerManagerAllowOverride")) {
            return CONFIG + spec + "controller_manager.allow_override";
        } else if (field.equals("schedulerAllowOverride")) {
            return CONFIG + spec + "scheduler.allow_override";
        }
        return CONFIG + spec + snakePath(field);
    }

    /**
     * {@code apiServer.extraArgs.someFlag} → {@code api_server.extra_args.someFlag}: property names become snake
     * case, the user's own map keys (after labels or extraArgs) stay as written.
     */
    private static String snakePath(String field) {
        for (String map : List.of("labels.", "extraArgs.")) {
            int at = ("." + field).indexOf("." + map); // where the map property starts in field
            if (at >= 0) {
                int keyStart = at + map.length();
                return YamlValues.snake(field.substring(0, keyStart)) + field.substring(keyStart);
            }
        }
        return YamlValues.snake(field);
    }

    private static String describe(JsonNode n) {
        if (n.isArray()) {
            return "a list of " + n.size() + " items";
        }
        return n.isTextual() ? "a text of " + n.asText().length() + " characters" : "a " + n.getNodeType()
                .name().toLowerCase(java.util.Locale.ROOT) + " value";
    }

    private static String brief(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** A YAML mapping with its path; every accessor reports wrong types as problems instead of throwing. */
    private final class Node {
        private final JsonNode node;
        private final String path;

        Node(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        String path(String key) {
            return path + (path.contains(" > ") || path.startsWith("document") ? "." : " > ") + key;
        }

        /** Reports a required key as missing, unless it is present with a wrong type (already reported). */
        void reportMissing(String key, String what) {
            if (!has(key)) {
                problems.add(new Problem(path(key), null, "missing: " + what));
            }
        }

        boolean has(String key) {
            JsonNode v = node.get(key);
            return v != null && !v.isNull();
        }

        Iterable<String> fieldNames() {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return names;
        }

        void keys(String... allowed) {
            List<String> known = List.of(allowed);
            node.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) {
                    problems.add(new Problem(path(k), null, "unknown key" + YamlValues.didYouMean(k, known)
                            + "; known keys here: " + known));
                }
            });
        }

        private JsonNode value(String key) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? null : v;
        }

        Node object(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                problems.add(new Problem(path(key), brief(v), "must be a mapping"));
                return null;
            }
            return new Node(v, path(key));
        }

        String string(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (!v.isValueNode()) {
                problems.add(new Problem(path(key), brief(v), "must be a single value, not a list or mapping"));
                return null;
            }
            return v.asText();
        }

        Integer integer(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return v.intValue();
            }
            if (v.isTextual() && v.asText().matches("-?\\d{1,9}")) {
                return Integer.parseInt(v.asText());
            }
            problems.add(new Problem(path(key), brief(v), "must be a whole number"));
            return null;
        }

        Boolean bool(String key) {
            JsonNode v = value(key);
            if (v == null) {
                return null;
            }
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            problems.add(new Problem(path(key), brief(v), "must be true or false"));
            return null;
        }

        List<String> strings(String key) {
            JsonNode v = value(key);
            List<String> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            if (!v.isArray()) {
                problems.add(new Problem(path(key), brief(v), "must be a list"));
                return out;
            }
            for (JsonNode item : v) {
                if (item.isValueNode() && !item.isNull()) {
                    out.add(item.asText());
                } else {
                    problems.add(new Problem(path(key), brief(item), "list items must be single values"));
                }
            }
            return out;
        }

        Map<String, String> stringMap(String key) {
            Map<String, String> out = new LinkedHashMap<>();
            Node obj = object(key);
            if (obj != null) {
                obj.node.fields().forEachRemaining(e -> {
                    if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                        out.put(e.getKey(), e.getValue().asText());
                    } else {
                        problems.add(new Problem(obj.path(e.getKey()), brief(e.getValue()), "must be a single value"));
                    }
                });
            }
            return out;
        }

        void ifString(String key, Consumer<String> sink) {
            String s = string(key);
            if (s != null) {
                sink.accept(s);
            }
        }

        void ifInteger(String key, Consumer<Integer> sink) {
            Integer i = integer(key);
            if (i != null) {
                sink.accept(i);
            }
        }

        void ifBoolean(String key, Consumer<Boolean> sink) {
            Boolean v = bool(key);
            if (v != null) {
                sink.accept(v);
            }
        }

        void ifDuration(String key, Consumer<Duration> sink) {
            String s = string(key);
            if (s != null) {
                YamlValues.parseDuration(s).ifPresentOrElse(sink, () -> problems.add(new Problem(path(key), s,
                        "not a duration; write e.g. 10s, 2m or 1m30s")));
            }
        }
    }
}
