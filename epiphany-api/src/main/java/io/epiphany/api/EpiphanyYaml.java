package io.epiphany.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The Epiphany YAML format: the design's {@code kind: epiphany-cluster} document with its component machine lists,
 * one {@code kind: infrastructure/machine} document per machine, and our {@code kind: configuration/kubernetes-ha}
 * for the cluster settings. Jackson stays inside this class.
 */
final class EpiphanyYaml {
    static final String CLUSTER_KIND = "epiphany-cluster";
    static final String MACHINE_KIND = "infrastructure/machine";
    static final String CONFIG_KIND = "configuration/kubernetes-ha";
    static final String MASTER_COMPONENT = "kubernetes_master";
    static final String NODE_COMPONENT = "kubernetes_node";
    /**
     * Largest description read, in characters. A cluster of thousands of machines fits many times over; the limit
     * keeps a wrong file (a log, a disk image) from exhausting memory. SnakeYAML's own default limit is the same.
     */
    static final int MAX_CHARS = 3 * 1024 * 1024;
    private static final Pattern DUPLICATE_KEY = Pattern.compile("^Duplicate field '(.*)' for `ObjectNode`");

    private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            // a repeated key would otherwise silently keep the last value
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private EpiphanyYaml() {}

    static Cluster read(Path file) {
        String text;
        try {
            // UTF-8 takes at most 4 bytes a character; a device, pipe or directory is refused before it is opened
            byte[] bytes = LocalFiles.read(file, MAX_CHARS * 4, "the cluster description");
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new Problem(String.valueOf(file), null,
                    "not UTF-8 text: a cluster description is a YAML file")));
        } catch (java.io.InterruptedIOException e) { // the interrupt flag stays set for the caller
            throw new ConfigException(List.of(new Problem(String.valueOf(file), null,
                    "reading was interrupted")));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new Problem(String.valueOf(file), null,
                    "cannot read the file: " + e.getMessage())));
        }
        return read(text, file.toString());
    }

    private static ConfigException tooLarge(String source, String size) {
        return new ConfigException(List.of(new Problem(source, size,
                "too large for a cluster description (at most " + MAX_CHARS + " characters)")));
    }

    static Cluster read(String yaml, String source) {
        if (yaml == null) {
            throw new ConfigException(List.of(new Problem(source, null, "no YAML given")));
        }
        if (yaml.length() > MAX_CHARS) {
            throw tooLarge(source, yaml.length() + " characters");
        }
        List<JsonNode> documents = new ArrayList<>();
        try {
            rejectAliases(yaml, source);
            try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
                while (it.hasNextValue()) {
                    documents.add(it.nextValue());
                }
            }
        } catch (JsonProcessingException e) {
            throw malformed(e, source);
        } catch (ConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new Problem(source, null, "malformed YAML: " + e.getMessage())));
        }
        return new YamlClusterReader(documents).read();
    }

    /** The parser's complaint, at the line and column where SnakeYAML saw the problem (Jackson's own is less exact). */
    private static ConfigException malformed(JsonProcessingException e, String source) {
        int line = 0;
        int column = 0;
        String message = String.valueOf(e.getOriginalMessage());
        if (e.getCause() instanceof MarkedYAMLException) {
            MarkedYAMLException y = (MarkedYAMLException) e.getCause();
            Mark mark = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
            if (mark != null) {
                line = mark.getLine() + 1;
                column = mark.getColumn() + 1;
            }
            message = (y.getContext() == null ? "" : y.getContext() + ": ") + y.getProblem();
        } else if (e.getLocation() != null) {
            line = e.getLocation().getLineNr();
            column = e.getLocation().getColumnNr();
        }
        Matcher duplicate = DUPLICATE_KEY.matcher(message);
        if (duplicate.find()) {
            message = "the key '" + duplicate.group(1) + "' appears twice in one mapping; keep one";
        }
        String where = line < 1 ? source : source + " line " + line + ", column " + column;
        return new ConfigException(List.of(new Problem(where, null,
                "malformed YAML: " + message.replaceAll("\\s+", " ").trim())));
    }

    /**
     * Jackson does not expand YAML aliases: {@code *name} would silently read as the text "name". The format has no
     * use for them, so they are refused (which also rules out alias-expansion bombs).
     */
    private static void rejectAliases(String yaml, String source) throws IOException {
        try (JsonParser p = MAPPER.createParser(yaml)) {
            while (p.nextToken() != null) {
                if (p instanceof YAMLParser && ((YAMLParser) p).isCurrentAlias()) {
                    JsonLocation at = p.currentTokenLocation();
                    throw new ConfigException(List.of(new Problem(source + " line " + at.getLineNr() + ", column "
                            + at.getColumnNr(), "*" + p.getText(), "YAML aliases are not supported; write the value "
                            + "out in full")));
                }
            }
        }
    }

    static String write(Cluster c) {
        try {
            StringBuilder out = new StringBuilder();
            out.append(MAPPER.writeValueAsString(clusterDocument(c)));
            for (Machine m : c.machines()) {
                out.append("---\n").append(MAPPER.writeValueAsString(machineDocument(m)));
            }
            out.append("---\n").append(MAPPER.writeValueAsString(configDocument(c)));
            return out.toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }

    /** The machine document's name: Epiphany refers to machines by document name, we name them by hostname. */
    static String documentName(Machine m) {
        return m.hostname();
    }

    private static Map<String, Object> clusterDocument(Cluster c) {
        Map<String, Object> adminUser = new LinkedHashMap<>();
        adminUser.put("name", c.ssh().user());
        c.ssh().privateKey().ifPresent(k -> adminUser.put("key_path", k.toString()));
        Map<String, Object> components = new LinkedHashMap<>();
        components.put(MASTER_COMPONENT, component(c.masters()));
        components.put(NODE_COMPONENT, component(c.nodes()));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", c.name());
        spec.put("admin_user", adminUser);
        spec.put("components", components);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", CLUSTER_KIND);
        doc.put("title", "Epiphany cluster Config");
        doc.put("provider", "any");
        doc.put("name", c.name());
        doc.put("specification", spec);
        return doc;
    }

    private static Map<String, Object> component(List<Machine> machines) {
        Map<String, Object> comp = new LinkedHashMap<>();
        comp.put("count", machines.size());
        List<String> names = new ArrayList<>();
        machines.forEach(m -> names.add(documentName(m)));
        comp.put("machines", names);
        return comp;
    }

    private static Map<String, Object> machineDocument(Machine m) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hostname", m.hostname());
        spec.put("ip", m.ip());
        m.sshAddress().ifPresent(v -> spec.put("ssh_address", v));
        m.sshPort().ifPresent(v -> spec.put("ssh_port", v));
        m.sshUser().ifPresent(v -> spec.put("ssh_user", v));
        m.hostKeyFingerprint().ifPresent(v -> spec.put("host_key_fingerprint", v));
        m.zone().ifPresent(v -> spec.put("zone", v));
        if (!m.labels().isEmpty()) {
            spec.put("labels", new LinkedHashMap<>(m.labels()));
        }
        if (!m.taints().isEmpty()) {
            List<String> taints = new ArrayList<>();
            m.taints().forEach(t -> taints.add(t.toString()));
            spec.put("taints", taints);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", MACHINE_KIND);
        doc.put("provider", "any");
        doc.put("name", documentName(m));
        doc.put("specification", spec);
        return doc;
    }

    private static Map<String, Object> configDocument(Cluster c) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("kubernetes_version", c.kubernetesVersion());
        spec.put("certificates_dir", c.certificatesDir());
        spec.put("cri_socket", c.criSocket());
        spec.put("allow_even_masters", c.allowEvenMasters());
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("pod_subnet", c.networking().podSubnet());
        net.put("service_subnet", c.networking().serviceSubnet());
        net.put("dns_domain", c.networking().dnsDomain());
        spec.put("networking", net);
        LoadBalancer lb = c.loadBalancer();
        Map<String, Object> lbMap = new LinkedHashMap<>();
        lb.externalEndpoint().ifPresentOrElse(e -> lbMap.put("external_endpoint", e), () -> {
            lbMap.put("port", lb.port());
            lbMap.put("check_interval", YamlValues.formatDuration(lb.checkInterval()));
            lbMap.put("fall", lb.fall());
            lbMap.put("rise", lb.rise());
        });
        spec.put("load_balancer", lbMap);
        ApiServer api = c.apiServer();
        Map<String, Object> apiMap = new LinkedHashMap<>();
        apiMap.put("admission_plugins", api.admissionPlugins());
        apiMap.put("profiling", api.profiling());
        Audit a = api.audit();
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("enabled", a.enabled());
        audit.put("policy_file", a.policyFile());
        audit.put("log_path", a.logPath());
        audit.put("max_age", a.maxAge());
        audit.put("max_backup", a.maxBackup());
        audit.put("max_size", a.maxSize());
        apiMap.put("audit", audit);
        apiMap.put("extra_args", new LinkedHashMap<>(api.extraArgs()));
        if (!api.allowOverride().isEmpty()) {
            apiMap.put("allow_override", new ArrayList<>(api.allowOverride()));
        }
        spec.put("api_server", apiMap);
        spec.put("controller_manager", component(c.controllerManagerExtraArgs(), c.controllerManagerAllowOverride()));
        spec.put("scheduler", component(c.schedulerExtraArgs(), c.schedulerAllowOverride()));
        Encryption e = c.encryption();
        Map<String, Object> enc = new LinkedHashMap<>();
        enc.put("enabled", e.enabled());
        enc.put("provider", e.provider().yamlName());
        enc.put("config_file", e.configFile());
        e.key().ifPresent(k -> enc.put("key", k.reveal()));
        spec.put("encryption", enc);
        c.imageRepository().ifPresent(r -> spec.put("image_repository", r));
        HostPreparation hp = c.hostPreparation();
        Map<String, Object> prep = new LinkedHashMap<>();
        prep.put("enabled", hp.enabled());
        prep.put("kubernetes_repository", hp.kubernetesRepository());
        prep.put("container_runtime_repository", hp.containerRuntimeRepository());
        spec.put("host_preparation", prep);
        Map<String, Object> cni = new LinkedHashMap<>();
        cni.put("name", c.cni().kind().name().toLowerCase(java.util.Locale.ROOT));
        c.cni().url().ifPresent(u -> cni.put("url", u));
        c.cni().sha256().ifPresent(h -> cni.put("sha256", h));
        c.cni().file().ifPresent(f -> cni.put("file", f.toString()));
        spec.put("cni", cni);
        SshSettings s = c.ssh();
        Map<String, Object> ssh = new LinkedHashMap<>();
        ssh.put("port", s.port());
        ssh.put("known_hosts", s.knownHosts().toString());
        ssh.put("host_key_policy", YamlValues.policyName(s.hostKeyPolicy()));
        ssh.put("jump_hosts", s.jumpHosts());
        ssh.put("connect_timeout", YamlValues.formatDuration(s.connectTimeout()));
        ssh.put("auth_timeout", YamlValues.formatDuration(s.authTimeout()));
        ssh.put("command_timeout", YamlValues.formatDuration(s.commandTimeout()));
        ssh.put("connect_attempts", s.connectAttempts());
        ssh.put("concurrency", s.concurrency());
        if (!s.keyExchange().equals(SshSettings.DEFAULT_KEY_EXCHANGE)) {
            ssh.put("key_exchange", s.keyExchange());
        }
        if (!s.addressBook().isEmpty()) {
            ssh.put("address_book", new LinkedHashMap<>(s.addressBook()));
        }
        s.closedNetwork().ifPresent(n -> ssh.put("closed_network", n));
        spec.put("ssh", ssh);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", CONFIG_KIND);
        doc.put("name", c.name());
        doc.put("specification", spec);
        return doc;
    }

    static ObjectNode emptyObject() {
        return MAPPER.createObjectNode();
    }

    /** A control-plane component's {@code extra_args}, and its {@code allow_override} when it has one. */
    private static Map<String, Object> component(Map<String, String> extraArgs, java.util.Set<String> allowOverride) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("extra_args", new LinkedHashMap<>(extraArgs));
        if (!allowOverride.isEmpty()) {
            out.put("allow_override", new ArrayList<>(allowOverride));
        }
        return out;
    }
}
