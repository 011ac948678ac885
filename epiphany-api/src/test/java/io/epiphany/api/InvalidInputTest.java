package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid cluster descriptions, through the DSL and through YAML: each must fail with a {@link ConfigException}
 * whose problem names the field (builder property or YAML path) and the offending value, and says what is wrong.
 */
class InvalidInputTest {
    private static final String MACHINE1 = "infrastructure/machine 'default-k8s-master1' > specification.";
    private static final String CONFIG = "configuration/kubernetes-ha > specification.";
    private static final String COMPONENTS = "epiphany-cluster > specification.components.";

    /** One invalid input and the problem it must produce. */
    private static Arguments invalid(String name, Executable input, String field, String value, String message) {
        return Arguments.of(name, input, field, value, message);
    }

    private static Executable dsl(UnaryOperator<Cluster.Builder> change) {
        return () -> change.apply(SeedYamlTest.seedAsDsl().toBuilder()).build();
    }

    /** The seed with the first master replaced. */
    private static Executable master0(Machine m) {
        Cluster seed = SeedYamlTest.seedAsDsl();
        return dsl(b -> b.masters(m, seed.masters().get(1), seed.masters().get(2)));
    }

    private static Executable yaml(String text) {
        return () -> Cluster.fromYaml(text);
    }

    private static String seed() {
        try {
            return SeedYamlTest.seed();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed with one exact piece of text replaced (which must be there). */
    static String seedWith(String from, String to) {
        String seed = seed();
        assertThat(seed).contains(from);
        return seed.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    /** The seed plus a configuration/kubernetes-ha document whose specification is {@code specLines}. */
    static String seedWithConfig(String... specLines) {
        StringBuilder sb = new StringBuilder(seed()).append("\n---\nkind: configuration/kubernetes-ha\nspecification:\n");
        for (String line : specLines) {
            sb.append("  ").append(line).append('\n');
        }
        return sb.toString();
    }

    static Stream<Arguments> invalidInputs() {
        return Stream.of(
                // machines (DSL)
                invalid("uppercase hostname", master0(Machine.of("K1m1", "10.10.1.148")),
                        "masters[0].hostname", "K1m1", "RFC 1123"),
                invalid("underscore in hostname", master0(Machine.of("k1_m1", "10.10.1.148")),
                        "masters[0].hostname", "k1_m1", "RFC 1123"),
                invalid("hostname label over 63 characters", master0(Machine.of("a".repeat(64), "10.10.1.148")),
                        "masters[0].hostname", "a".repeat(64), "63 characters"),
                invalid("hostname over 253 characters", master0(Machine.of(("a".repeat(60) + ".").repeat(4) + "abcdefghijklmnop", "10.10.1.148")),
                        "masters[0].hostname", (("a".repeat(60) + ".").repeat(4)).substring(0, Problem.MAX_VALUE) + "…(260 chars)",
                        "RFC 1123"),
                invalid("hostname ending in a dash", master0(Machine.of("k1m1-", "10.10.1.148")),
                        "masters[0].hostname", "k1m1-", "RFC 1123"),
                invalid("duplicate hostname", master0(Machine.of("k1m2", "10.10.1.148")),
                        "masters[1].hostname", "k1m2", "already used by masters[0]"),
                invalid("IPv4 octet over 255", master0(Machine.of("k1m1", "10.10.1.256")),
                        "masters[0].ip", "10.10.1.256", "not an IP address"),
                invalid("hostname where an IP belongs", master0(Machine.of("k1m1", "k1m1.example.com")),
                        "masters[0].ip", "k1m1.example.com", "not an IP address"),
                invalid("malformed IPv6", master0(Machine.of("k1m1", "fd00::1::2")),
                        "masters[0].ip", "fd00::1::2", "not an IP address"),
                invalid("duplicate IP", dsl(b -> b.nodes(Machine.of("k1c1", "10.10.2.129"))),
                        "nodes[0].ip", "10.10.2.129", "already used by masters[1]"),
                invalid("duplicate IP in another spelling", dsl(b -> b.masters(Machine.of("a", "fd00::1"),
                                Machine.of("b", "fd00:0:0::1"), Machine.of("c", "fd00::3"))),
                        "masters[1].ip", "fd00:0:0::1", "already used by masters[0]"),
                invalid("loopback IP", master0(Machine.of("k1m1", "127.0.0.1")),
                        "masters[0].ip", "127.0.0.1", "loopback"),
                invalid("wildcard IP", master0(Machine.of("k1m1", "0.0.0.0")),
                        "masters[0].ip", "0.0.0.0", "wildcard"),
                invalid("machine SSH port 0", master0(Machine.of("k1m1", "10.10.1.148").withSshPort(0)),
                        "masters[0].sshPort", "0", "1-65535"),
                invalid("machine SSH port 65536", master0(Machine.of("k1m1", "10.10.1.148").withSshPort(65536)),
                        "masters[0].sshPort", "65536", "1-65535"),
                invalid("machine SSH user with a space", master0(Machine.of("k1m1", "10.10.1.148").withSshUser("bad user")),
                        "masters[0].sshUser", "bad user", "user name"),
                invalid("SSH address that is neither IP nor hostname",
                        master0(Machine.of("k1m1", "10.10.1.148").withSshAddress("bad address")),
                        "masters[0].sshAddress", "bad address", "not an IP address or hostname"),
                invalid("MD5 fingerprint", master0(Machine.of("k1m1", "10.10.1.148").withHostKeyFingerprint("MD5:aa:bb:cc")),
                        "masters[0].hostKeyFingerprint", "MD5:aa:bb:cc", "SHA256:"),
                invalid("zone with a space", master0(Machine.of("k1m1", "10.10.1.148").withZone("eu west")),
                        "masters[0].zone", "eu west", "label value"),
                invalid("label key starting with a dash", master0(Machine.of("k1m1", "10.10.1.148").withLabel("-tier", "a")),
                        "masters[0].labels", "-tier", "label key"),
                invalid("label value over 63 characters", master0(Machine.of("k1m1", "10.10.1.148").withLabel("tier", "v".repeat(64))),
                        "masters[0].labels.tier", "v".repeat(64), "label value"),
                invalid("taint key with a space", master0(Machine.of("k1m1", "10.10.1.148").toBuilder()
                                .addTaint(Taint.of("bad key", "x", Taint.Effect.NoSchedule)).build()),
                        "masters[0].taints", "bad key=x:NoSchedule", "taint key"),
                invalid("taint value with a slash", master0(Machine.of("k1m1", "10.10.1.148").withTaint("k=a/b:NoExecute")),
                        "masters[0].taints", "k=a/b:NoExecute", "taint value"),
                // masters
                invalid("no masters", dsl(b -> b.masters()), "masters", "[]", "at least one master"),
                invalid("two masters", dsl(b -> b.masters(Machine.of("a", "10.1.0.1"), Machine.of("b", "10.1.0.2"))),
                        "masters", "2 masters", "quorum of 2 and tolerate 0 failure(s)"),
                invalid("four masters", dsl(b -> b.addMasters(Machine.of("k1m4", "10.10.4.1"))),
                        "masters", "4 masters", "quorum of 3 and tolerate 1 failure(s), the same as 3"),
                // settings
                invalid("cluster name in upper case", dsl(b -> b.name("K8S")), "name", "K8S", "RFC 1123"),
                invalid("version without patch", dsl(b -> b.kubernetesVersion("1.37")),
                        "kubernetesVersion", "1.37", "not a Kubernetes version; write it as 1.37.0"),
                invalid("version 'latest'", dsl(b -> b.kubernetesVersion("latest")),
                        "kubernetesVersion", "latest", "not a Kubernetes version"),
                invalid("version out of upstream support", dsl(b -> b.kubernetesVersion("1.34.2")),
                        "kubernetesVersion", "1.34.2",
                        "outside the supported range 1.35.x to 1.37.x: 1.34 is out of upstream support"),
                invalid("announced minor not yet released", dsl(b -> b.kubernetesVersion("1.38.0")),
                        "kubernetesVersion", "1.38.0", "outside the supported range 1.35.x to 1.37.x: 1.38 is "
                                + "planned for 2026-12-16 and not supported by this SDK release yet"),
                invalid("minor unknown to the SDK", dsl(b -> b.kubernetesVersion("1.39.0")),
                        "kubernetesVersion", "1.39.0", "no such Kubernetes minor is known to this SDK release"),
                invalid("Kubernetes 2", dsl(b -> b.kubernetesVersion("2.31.0")),
                        "kubernetesVersion", "2.31.0", "outside the supported range"),
                invalid("pod subnet prefix 33", dsl(b -> b.networking(Networking.builder().podSubnet("10.244.0.0/33").build())),
                        "networking.podSubnet", "10.244.0.0/33", "not a CIDR block"),
                invalid("pod subnet without prefix", dsl(b -> b.networking(Networking.builder().podSubnet("10.244.0.0").build())),
                        "networking.podSubnet", "10.244.0.0", "not a CIDR block"),
                invalid("service subnet with host bits", dsl(b -> b.networking(Networking.builder().serviceSubnet("10.96.0.1/12").build())),
                        "networking.serviceSubnet", "10.96.0.1/12", "host bits zero"),
                invalid("service subnet inside the pod subnet", dsl(b -> b.networking(Networking.builder()
                                .podSubnet("10.0.0.0/8").serviceSubnet("10.96.0.0/12").build())),
                        "networking.serviceSubnet", "10.96.0.0/12", "overlaps the pod subnet 10.0.0.0/8"),
                invalid("pod subnet containing a machine", dsl(b -> b.networking(Networking.builder().podSubnet("10.10.0.0/16").build())),
                        "networking.podSubnet", "10.10.0.0/16", "contains the IP 10.10.1.148 of machine k1m1"),
                invalid("service subnet containing a machine", dsl(b -> b.networking(Networking.builder().serviceSubnet("10.10.2.0/24").build())),
                        "networking.serviceSubnet", "10.10.2.0/24", "contains the IP 10.10.2.129 of machine k1m2"),
                invalid("DNS domain with an underscore", dsl(b -> b.networking(Networking.builder().dnsDomain("cluster_local").build())),
                        "networking.dnsDomain", "cluster_local", "DNS domain"),
                invalid("DenyEscalatingExec", dsl(b -> b.apiServer(ApiServer.builder().admissionPlugins(List.of(
                                "NodeRestriction", "DenyEscalatingExec")).build())),
                        "apiServer.admissionPlugins", "DenyEscalatingExec", "removed in Kubernetes 1.21"),
                invalid("PodSecurityPolicy", dsl(b -> b.apiServer(ApiServer.builder().admissionPlugins(List.of(
                                "NodeRestriction", "PodSecurityPolicy")).build())),
                        "apiServer.admissionPlugins", "PodSecurityPolicy", "removed in Kubernetes 1.25"),
                invalid("NodeRestriction missing", dsl(b -> b.apiServer(ApiServer.builder().admissionPlugins(List.of(
                                "NamespaceLifecycle", "ServiceAccount")).build())),
                        "apiServer.admissionPlugins", "NamespaceLifecycle,ServiceAccount", "must include NodeRestriction"),
                invalid("admission plugin in lower case", dsl(b -> b.apiServer(ApiServer.builder().admissionPlugins(List.of(
                                "NodeRestriction", "alwayspullimages")).build())),
                        "apiServer.admissionPlugins", "alwayspullimages", "not an admission plugin name"),
                invalid("relative audit policy", dsl(b -> b.apiServer(ApiServer.builder().audit(Audit.builder()
                                .policyFile("audit/policy.yaml").build()).build())),
                        "apiServer.audit.policyFile", "audit/policy.yaml", "absolute path"),
                invalid("audit max age 0", dsl(b -> b.apiServer(ApiServer.builder().audit(Audit.builder().maxAge(0).build()).build())),
                        "apiServer.audit.maxAge", "0", "at least 1"),
                invalid("flag name with dashes", dsl(b -> b.putControllerManagerExtraArg("--profiling", "true")),
                        "controllerManagerExtraArgs", "--profiling", "without dashes"),
                invalid("flag value with a line break", dsl(b -> b.putSchedulerExtraArg("v", "2\n--bad")),
                        "schedulerExtraArgs.v", "2\n--bad", "line breaks"),
                invalid("load balancer port 0", dsl(b -> b.loadBalancer(LoadBalancer.internal(0))),
                        "loadBalancer.port", "0", "1-65535"),
                invalid("load balancer port 65536", dsl(b -> b.loadBalancer(LoadBalancer.internal(65536))),
                        "loadBalancer.port", "65536", "1-65535"),
                invalid("load balancer on the API server's port", dsl(b -> b.loadBalancer(LoadBalancer.internal(6443))),
                        "loadBalancer.port", "6443", "used by kube-apiserver"),
                invalid("load balancer on etcd's port", dsl(b -> b.loadBalancer(LoadBalancer.internal(2379))),
                        "loadBalancer.port", "2379", "used by etcd client"),
                invalid("health check every 100ms", dsl(b -> b.loadBalancer(LoadBalancer.builder()
                                .checkInterval(Duration.ofMillis(100)).build())),
                        "loadBalancer.checkInterval", "100ms", "at least 1s"),
                invalid("external endpoint without port", dsl(b -> b.loadBalancer(LoadBalancer.external("api.example.com"))),
                        "loadBalancer.externalEndpoint", "api.example.com", "not host:port"),
                invalid("external endpoint with a word for port", dsl(b -> b.loadBalancer(LoadBalancer.external("api.example.com:https"))),
                        "loadBalancer.externalEndpoint", "api.example.com:https", "not host:port"),
                invalid("external endpoint port 70000", dsl(b -> b.loadBalancer(LoadBalancer.external("api.example.com:70000"))),
                        "loadBalancer.externalEndpoint", "api.example.com:70000", "not host:port"),
                invalid("external endpoint URL", dsl(b -> b.loadBalancer(LoadBalancer.external("https://api.example.com:6443"))),
                        "loadBalancer.externalEndpoint", "https://api.example.com:6443", "not host:port"),
                invalid("SSH port 0", dsl(b -> b.ssh(SshSettings.builder().port(0).build())), "ssh.port", "0", "1-65535"),
                invalid("SSH port 65536", dsl(b -> b.ssh(SshSettings.builder().port(65536).build())),
                        "ssh.port", "65536", "1-65535"),
                invalid("SSH user in upper case", dsl(b -> b.ssh(SshSettings.builder().user("Admin").build())),
                        "ssh.user", "Admin", "user name"),
                invalid("jump host with a space", dsl(b -> b.ssh(SshSettings.builder().addJumpHost("bad host").build())),
                        "ssh.jumpHosts", "bad host", "[user@]host[:port]"),
                invalid("unknown key exchange", dsl(b -> b.ssh(SshSettings.builder()
                                .keyExchange(java.util.List.of("curve25519-sha256", "diffie-hellman-group1-sha1")).build())),
                        "ssh.keyExchange", "diffie-hellman-group1-sha1", "known: mlkem768x25519-sha256"),
                invalid("no key exchange", dsl(b -> b.ssh(SshSettings.builder().keyExchange(java.util.List.of()).build())),
                        "ssh.keyExchange", "[]", "at least one"),
                invalid("zero connect timeout", dsl(b -> b.ssh(SshSettings.builder().connectTimeout(Duration.ZERO).build())),
                        "ssh.connectTimeout", "0ms", "positive"),
                invalid("SSH concurrency 0", dsl(b -> b.ssh(SshSettings.builder().concurrency(0).build())),
                        "ssh.concurrency", "0", "at least 1"),
                invalid("relative certificates dir", dsl(b -> b.certificatesDir("pki")), "certificatesDir", "pki", "absolute"),
                invalid("CRI over TCP", dsl(b -> b.criSocket("tcp://10.0.0.1:1234")),
                        "criSocket", "tcp://10.0.0.1:1234", "unix socket"),
                invalid("encryption config with '..'", dsl(b -> b.encryption(Encryption.builder().configFile("/etc/../enc.yaml").build())),
                        "encryption.configFile", "/etc/../enc.yaml", "no '.' or '..' segments"),
                // YAML: structure and references
                invalid("misspelt machine key", yaml(seedWith("hostname: k1m1", "hostnme: k1m1")),
                        MACHINE1 + "hostnme", null, "unknown key (did you mean 'hostname'?)"),
                invalid("misspelt component with machines", yaml(seedWith("    logging:\n      count: 0",
                                "    kubernetes_mastr:\n      count: 1")),
                        COMPONENTS + "kubernetes_mastr.count", "1", "did you mean 'kubernetes_master'?"),
                invalid("unknown document kind", yaml(seedWith("kind: infrastructure/machine\nprovider: any\nname: default-k8s-node2",
                                "kind: infrastructure/machin\nprovider: any\nname: default-k8s-node2")),
                        "document 6.kind", "infrastructure/machin", "did you mean 'infrastructure/machine'?"),
                invalid("misspelt configuration key", yaml(seedWithConfig("kubernetes_verison: 1.37.0")),
                        CONFIG + "kubernetes_verison", null, "did you mean 'kubernetes_version'?"),
                invalid("count: abc", yaml(seedWith("count: 3", "count: abc")),
                        COMPONENTS + "kubernetes_master.count", "\"abc\"", "whole number"),
                invalid("count beyond int", yaml(seedWith("count: 3", "count: 99999999999")),
                        COMPONENTS + "kubernetes_master.count", "99999999999", "whole number"),
                invalid("ip as a list", yaml(seedWith("ip: 10.10.1.148", "ip: [10.10.1.148, 10.10.1.149]")),
                        MACHINE1 + "ip", "[\"10.10.1.148\",\"10.10.1.149\"]", "single value"),
                invalid("components as a list", yaml(seedWith("  components:\n", "  components: [a]\n  x:\n")),
                        "epiphany-cluster > specification.components", "[\"a\"]", "must be a mapping"),
                invalid("count not matching the machine list", yaml(seedWith("count: 2", "count: 3")),
                        COMPONENTS + "kubernetes_node.count", "3", "count is 3 but 2 machines are listed"),
                invalid("machine referenced but not defined", yaml(seedWith("- default-k8s-node2", "- default-k8s-node22")),
                        COMPONENTS + "kubernetes_node.machines", "default-k8s-node22",
                        "referenced but not defined: add a 'kind: infrastructure/machine' document with name: "
                                + "default-k8s-node22 (did you mean 'default-k8s-node2'?)"),
                invalid("machine defined but not used", yaml(seedWith("count: 2", "count: 1")
                                .replace("        - default-k8s-node2\n", "")),
                        "infrastructure/machine 'default-k8s-node2'", "default-k8s-node2", "not listed by any component"),
                invalid("machine defined twice", yaml(seedWith("name: default-k8s-node2", "name: default-k8s-node1")),
                        "infrastructure/machine 'default-k8s-node1' > specification", "default-k8s-node1", "defined twice"),
                invalid("machine listed twice", yaml(seedWith("- default-k8s-node2", "- default-k8s-master1")),
                        COMPONENTS + "kubernetes_node.machines", "default-k8s-master1", "listed twice"),
                invalid("machine without ip", yaml(seedWith("  ip: 10.10.1.148\n", "")),
                        MACHINE1 + "ip", null, "missing"),
                invalid("no epiphany-cluster document", yaml(seed().substring(seed().indexOf("---") + 4)),
                        "epiphany-cluster", null, "add a 'kind: epiphany-cluster' document"),
                invalid("malformed YAML", yaml(seedWith("  hostname: k1m2", "  hostname: [k1m2")),
                        "<string> line 47, column 5", null, "malformed YAML: while parsing a flow sequence: expected ',' or ']'"),
                invalid("tab indentation", yaml(seedWith("  hostname: k1m2", "\thostname: k1m2")),
                        "<string> line 46, column 1", null, "Do not use \\t(TAB) for indentation"),
                invalid("YAML alias", yaml(seedWith("hostname: k1m1", "hostname: &h k1m1").replace("hostname: k1m2", "hostname: *h")),
                        "<string> line 46, column 13", "*h", "aliases are not supported"),
                invalid("duplicate key", yaml(seedWith("  ip: 10.10.1.148", "  ip: 10.10.1.148\n  ip: 10.10.1.149")),
                        "<string> line 41, column 7", null, "the key 'ip' appears twice"),
                // YAML: values, translated to YAML paths
                invalid("hostname in YAML", yaml(seedWith("hostname: k1m1", "hostname: K1M1")),
                        MACHINE1 + "hostname", "K1M1", "RFC 1123"),
                invalid("ssh_port in YAML", yaml(seedWith("ip: 10.10.1.148", "ip: 10.10.1.148\n  ssh_port: 0")),
                        MACHINE1 + "ssh_port", "0", "1-65535"),
                invalid("label value in YAML keeps the key's case", yaml(seedWith("ip: 10.10.1.148",
                                "ip: 10.10.1.148\n  labels:\n    Tier: 'a b'")),
                        MACHINE1 + "labels.Tier", "a b", "label value"),
                invalid("taint without effect", yaml(seedWith("ip: 10.10.1.148", "ip: 10.10.1.148\n  taints: [dedicated=infra]")),
                        MACHINE1 + "taints", "dedicated=infra", "key[=value]:Effect"),
                invalid("taint with unknown effect", yaml(seedWith("ip: 10.10.1.148", "ip: 10.10.1.148\n  taints: ['a=b:NoRun']")),
                        MACHINE1 + "taints", "a=b:NoRun", "use NoSchedule, PreferNoSchedule or NoExecute"),
                invalid("even masters in YAML", yaml(seedWith("count: 3", "count: 2").replace("        - default-k8s-master3\n", "")),
                        COMPONENTS + "kubernetes_master", "2 masters", "quorum"),
                invalid("admin user in YAML", yaml(seedWith("name: ubuntu", "name: Ubuntu")),
                        "epiphany-cluster > specification.admin_user.name", "Ubuntu", "user name"),
                invalid("version in YAML", yaml(seedWithConfig("kubernetes_version: 1.34.2")),
                        CONFIG + "kubernetes_version", "1.34.2", "outside the supported range 1.35.x to 1.37.x"),
                invalid("DenyEscalatingExec in YAML", yaml(seedWithConfig("api_server:",
                                "  admission_plugins: [NodeRestriction, DenyEscalatingExec]")),
                        CONFIG + "api_server.admission_plugins", "DenyEscalatingExec", "removed in Kubernetes 1.21"),
                invalid("flag in YAML keeps its case", yaml(seedWithConfig("controller_manager:", "  extra_args:",
                                "    Bad_Flag: x")),
                        CONFIG + "controller_manager.extra_args", "Bad_Flag", "not a flag name"),
                invalid("pod subnet in YAML", yaml(seedWithConfig("networking:", "  pod_subnet: 10.244.0.0/99")),
                        CONFIG + "networking.pod_subnet", "10.244.0.0/99", "CIDR"),
                invalid("load balancer port in YAML", yaml(seedWithConfig("load_balancer:", "  port: 6443")),
                        CONFIG + "load_balancer.port", "6443", "kube-apiserver"),
                invalid("external endpoint in YAML", yaml(seedWithConfig("load_balancer:", "  external_endpoint: 'api:'")),
                        CONFIG + "load_balancer.external_endpoint", "api:", "not host:port"),
                invalid("bad duration", yaml(seedWithConfig("load_balancer:", "  check_interval: 10 seconds")),
                        CONFIG + "load_balancer.check_interval", "10 seconds", "not a duration"),
                invalid("duration too long", yaml(seedWithConfig("ssh:", "  command_timeout: 999999999h")),
                        CONFIG + "ssh.command_timeout", "999999999h", "at most 24h"),
                invalid("health check every hour", yaml(seedWithConfig("load_balancer:", "  check_interval: 1h")),
                        CONFIG + "load_balancer.check_interval", "1h", "at most 5m"),
                invalid("zero timeout in YAML", yaml(seedWithConfig("ssh:", "  connect_timeout: 0s")),
                        CONFIG + "ssh.connect_timeout", "0ms", "positive"),
                invalid("bad host_key_policy", yaml(seedWithConfig("ssh:", "  host_key_policy: trust-everyone")),
                        CONFIG + "ssh.host_key_policy", "trust-everyone", "strict, accept-new or insecure-accept-all"),
                invalid("ssh port in YAML", yaml(seedWithConfig("ssh:", "  port: 65536")),
                        CONFIG + "ssh.port", "65536", "1-65535"),
                invalid("bad encryption provider", yaml(seedWithConfig("encryption:", "  provider: aesgcm")),
                        CONFIG + "encryption.provider", "aesgcm", "use secretbox"),
                invalid("boolean as text", yaml(seedWithConfig("allow_even_masters: maybe")),
                        CONFIG + "allow_even_masters", "\"maybe\"", "true or false"),
                invalid("second configuration document", yaml(seedWithConfig("certificates_dir: /pki")
                                + "---\nkind: configuration/kubernetes-ha\n"),
                        "document 8", "configuration/kubernetes-ha", "keep at most one"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidInputs")
    void isRejectedNamingFieldAndValue(String name, Executable input, String field, String value, String message) {
        ConfigException e = reject(input);
        assertThat(e.problems()).as(e.getMessage()).anySatisfy(p -> {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.value()).isEqualTo(value);
            assertThat(p.message()).contains(message);
        });
        assertThat(e.getMessage()).contains(field).contains(message);
        if (value != null) {
            assertThat(e.getMessage()).contains("'" + value + "'");
        }
    }

    static ConfigException reject(Executable input) {
        ConfigException e = catchThrowableOfType(ConfigException.class, input::execute);
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.problems()).isNotEmpty();
        return e;
    }

    @Test
    void atLeastThirtyDistinctInvalidInputs() {
        assertThat(invalidInputs().count()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void everyProblemOfADslDescriptionIsReportedAtOnce() {
        ConfigException e = reject(() -> Cluster.builder()
                .name("Bad_Name")
                .masters(Machine.of("K1", "10.0.0.1"), Machine.of("k2", "10.0.0.1"))
                .nodes(Machine.of("k3", "300.1.1.1").withSshPort(0))
                .kubernetesVersion("1.29.0")
                .networking(Networking.builder().podSubnet("10.0.0.0/8").serviceSubnet("10.96.0.1/12").build())
                .apiServer(ApiServer.builder().admissionPlugins(List.of("DenyEscalatingExec")).build())
                .loadBalancer(LoadBalancer.internal(6443))
                .ssh(SshSettings.builder().port(0).build())
                .build());
        assertThat(e.problems()).extracting(Problem::field).contains("name", "masters[0].hostname", "masters[1].ip",
                "nodes[0].ip", "nodes[0].sshPort", "masters", "kubernetesVersion", "networking.podSubnet",
                "networking.serviceSubnet", "apiServer.admissionPlugins", "loadBalancer.port", "ssh.port");
        assertThat(e.problems()).filteredOn(p -> p.field().equals("apiServer.admissionPlugins")).hasSize(2);
        assertThat(e.getMessage()).startsWith(e.problems().size() + " problems in the cluster description:");
    }

    @Test
    void everyProblemOfAYamlDescriptionIsReportedAtOnceReaderAndModelAlike() {
        String yaml = seedWith("hostname: k1m1", "hostnme: k1m1")
                .replace("count: 2", "count: abc")
                .replace("ip: 10.10.3.16", "ip: 10.10.3.300")
                .replace("- default-k8s-node2", "- default-k8s-node9")
                + "\n---\nkind: configuration/kubernetes-ha\nspecification:\n  kubernetes_version: 1.38.0\n"
                + "  ssh:\n    host_key_policy: yolo\n  load_balancer:\n    port: 6443\n";
        ConfigException e = reject(() -> Cluster.fromYaml(yaml));
        assertThat(e.problems()).extracting(Problem::field).contains(
                MACHINE1 + "hostnme", MACHINE1 + "hostname",
                COMPONENTS + "kubernetes_node.count", COMPONENTS + "kubernetes_node.machines",
                "infrastructure/machine 'default-k8s-master3' > specification.ip",
                CONFIG + "kubernetes_version", CONFIG + "ssh.host_key_policy", CONFIG + "load_balancer.port");
        assertThat(e.problems()).extracting(Problem::toString).doesNotHaveDuplicates();
    }

    @Test
    void evenMastersAreAcceptedWhenExplicitlyAllowed() {
        assertThatCode(() -> SeedYamlTest.seedAsDsl().toBuilder()
                .masters(Machine.of("a", "10.1.0.1"), Machine.of("b", "10.1.0.2")).allowEvenMasters(true).build())
                .doesNotThrowAnyException();
        assertThatCode(() -> Cluster.fromYaml(seedWith("count: 3", "count: 2")
                .replace("        - default-k8s-master3\n", "")
                .replace("kind: infrastructure/machine\nprovider: any\nname: default-k8s-master3\nspecification:\n"
                        + "  hostname: k1m3\n  ip: 10.10.3.16\n---\n", "")
                + "\n---\nkind: configuration/kubernetes-ha\n"
                + "specification:\n  allow_even_masters: true\n")).doesNotThrowAnyException();
    }

    @Test
    void aWrongEncryptionKeyIsReportedWithoutShowingIt() {
        String key = "c2hvcnQtc2VjcmV0LWtleQ=="; // 16 bytes
        for (Executable input : List.of(
                dsl(b -> b.encryption(Encryption.builder().key(Secret.of(key)).build())),
                yaml(seedWithConfig("encryption:", "  key: " + key)),
                yaml(seedWithConfig("encryption:", "  key: not base64 " + key)),
                yaml(seedWithConfig("encryption:", "  key: [" + key + "]")),
                yaml(seedWithConfig("encryption:", "  key: {k: " + key + "}")))) {
            ConfigException e = reject(input);
            assertThat(e.problems()).anySatisfy(p -> {
                assertThat(p.field()).endsWith("encryption.key");
                assertThat(p.value()).isEqualTo("****");
            });
            assertThat(e.getMessage()).doesNotContain(key).doesNotContain("c2hvcnQ");
            assertThat(e.problems()).allSatisfy(p -> assertThat(String.valueOf(p.value())).doesNotContain("c2hvcnQ"));
        }
    }

    @Test
    void tooLargeDocumentsAreRefusedWithTheLimit() {
        String huge = seed() + "\n# " + "x".repeat(EpiphanyYaml.MAX_CHARS) + "\n";
        ConfigException e = reject(() -> Cluster.fromYaml(huge));
        assertThat(e.getMessage()).contains(huge.length() + " characters").contains("at most " + EpiphanyYaml.MAX_CHARS);
    }

    @Test
    void deeplyNestedDocumentsAreRefused() {
        for (String deep : List.of("[".repeat(100_000), "a:\n" + "- ".repeat(20_000) + "x\n", "{a: ".repeat(50_000))) {
            ConfigException e = reject(() -> Cluster.fromYaml(deep));
            assertThat(e.getMessage()).contains("malformed YAML");
        }
    }

    @Test
    void nullAndMissingFilesAreConfigProblems() {
        assertThat(reject(() -> Cluster.fromYaml((String) null)).getMessage()).contains("no YAML given");
        assertThat(reject(() -> Cluster.fromYaml(java.nio.file.Path.of("/nonexistent/cluster.yml"))).getMessage())
                .contains("/nonexistent/cluster.yml").contains("cannot read the file");
    }
}
