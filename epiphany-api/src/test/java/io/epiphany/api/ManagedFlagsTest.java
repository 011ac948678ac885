package io.epiphany.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Extra args that would replace a flag the SDK sets for safety are refused, or allowed by name with a warning. */
class ManagedFlagsTest {
    private static final String CONFIG = "configuration/kubernetes-ha > specification.";

    private static Cluster.Builder seed() {
        return SeedYamlTest.seedAsDsl().toBuilder();
    }

    private static ConfigException refused(UnaryOperator<Cluster.Builder> change) {
        return catchThrowableOfType(() -> change.apply(seed()).build(), ConfigException.class);
    }

    @ParameterizedTest
    @CsvSource({"enable-admission-plugins,AlwaysAdmit,apiServer.admissionPlugins",
            "disable-admission-plugins,NodeRestriction,apiServer.admissionPlugins",
            "encryption-provider-config,/dev/null,encryption.configFile",
            "authorization-mode,AlwaysAllow,'Node,RBAC'", "anonymous-auth,true,kubeadm",
            "audit-policy-file,/dev/null,apiServer.audit.policyFile", "audit-log-maxage,1,apiServer.audit.maxAge",
            "audit-log-format,legacy,apiServer.audit", "profiling,true,apiServer.profiling",
            "kubelet-certificate-authority,/x.crt,certificatesDir", "insecure-port,8080,unauthenticated"})
    void aManagedApiServerFlagIsRefusedNamingTheFieldToUse(String flag, String value, String useInstead) {
        ConfigException e = refused(b -> b.apiServer(ApiServer.builder().putExtraArg(flag, value).build()));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("apiServer.extraArgs." + flag);
            assertThat(p.message()).contains("replaces a flag the SDK sets for safety").contains(useInstead)
                    .contains("apiServer.allowOverride");
        });
    }

    @Test
    void anExplicitOverrideIsAcceptedAndListedAsAWarning() {
        Cluster c = seed().apiServer(ApiServer.builder().putExtraArg("authorization-mode", "Node,RBAC,Webhook")
                .allowOverride("authorization-mode").build()).build();
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).startsWith(
                "apiServer.extraArgs.authorization-mode = 'Node,RBAC,Webhook' replaces a flag the SDK sets"));
    }

    @Test
    void anOverrideOfAnotherFlagDoesNotAllowThisOne() {
        ConfigException e = refused(b -> b.apiServer(ApiServer.builder().putExtraArg("anonymous-auth", "true")
                .putExtraArg("authorization-mode", "AlwaysAllow").allowOverride("authorization-mode").build()));
        assertThat(e.problems()).extracting(Problem::field).containsExactly("apiServer.extraArgs.anonymous-auth");
    }

    @Test
    void anOverrideOfAnUnmanagedFlagIsATypo() {
        ConfigException e = refused(b -> b.apiServer(ApiServer.builder().allowOverride("authorisation-mode").build()));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.field())
                .isEqualTo("apiServer.allowOverride"));
    }

    @Test
    void unmanagedFlagsNeedNoOverride() {
        Cluster c = seed().apiServer(ApiServer.builder().putExtraArg("request-timeout", "90s").build())
                .putControllerManagerExtraArg("node-monitor-period", "3s").build();
        assertThat(c.warnings()).noneMatch(w -> w.contains("replaces a flag"));
    }

    @Test
    void controllerManagerAndSchedulerProfilingIsRefused() {
        ConfigException e = refused(b -> b.putControllerManagerExtraArg("profiling", "true")
                .putControllerManagerExtraArg("use-service-account-credentials", "false")
                .putSchedulerExtraArg("profiling", "true"));
        assertThat(e.problems()).extracting(Problem::field).containsExactly("controllerManagerExtraArgs.profiling",
                "controllerManagerExtraArgs.use-service-account-credentials", "schedulerExtraArgs.profiling");
    }

    @Test
    void controllerManagerAndSchedulerSafetyFlagsAreRefusedUnlessOverriddenAndTheOverrideIsAWarning() {
        ConfigException e = refused(b -> b.putControllerManagerExtraArg("bind-address", "0.0.0.0")
                .putControllerManagerExtraArg("controllers", "*,-tokencleaner")
                .putSchedulerExtraArg("bind-address", "0.0.0.0")
                .putSchedulerExtraArg("kubeconfig", "/etc/kubernetes/admin.conf"));
        assertThat(e.problems()).extracting(Problem::field).containsExactly("controllerManagerExtraArgs.bind-address",
                "controllerManagerExtraArgs.controllers", "schedulerExtraArgs.bind-address",
                "schedulerExtraArgs.kubeconfig");
        assertThat(e.getMessage()).contains("name it in controllerManagerAllowOverride (YAML "
                + "controller_manager.allow_override: [bind-address])").contains("name it in schedulerAllowOverride");

        Cluster c = seed().putControllerManagerExtraArg("bind-address", "0.0.0.0")
                .addControllerManagerAllowOverride("bind-address").putSchedulerExtraArg("profiling", "true")
                .addSchedulerAllowOverride("profiling").build();
        assertThat(c.warnings()).anyMatch(w -> w.startsWith("controllerManagerExtraArgs.bind-address = '0.0.0.0' "
                + "replaces a flag the SDK sets for safety (allowed by controllerManagerAllowOverride)"))
                .anyMatch(w -> w.startsWith("schedulerExtraArgs.profiling = 'true' replaces"));
        assertThat(catchThrowableOfType(() -> seed().addSchedulerAllowOverride("leader-elect").build(),
                ConfigException.class).problems()).extracting(Problem::field)
                .containsExactly("schedulerAllowOverride");

        Cluster yaml = Cluster.fromYaml(InvalidInputTest.seedWithConfig("controller_manager:",
                "  extra_args: {bind-address: 0.0.0.0}", "  allow_override: [bind-address]", "scheduler:",
                "  extra_args: {profiling: 'true'}", "  allow_override: [profiling]"));
        assertThat(yaml.controllerManagerAllowOverride()).containsExactly("bind-address");
        assertThat(Cluster.fromYaml(yaml.toYaml())).isEqualTo(yaml);
    }

    @Test
    void yamlAllowOverrideRoundTripsAndRefusalsNameTheYamlPath() {
        ConfigException e = catchThrowableOfType(() -> Cluster.fromYaml(InvalidInputTest.seedWithConfig(
                "api_server:", "  extra_args: {authorization-mode: AlwaysAllow}")), ConfigException.class);
        assertThat(e.problems()).extracting(Problem::field)
                .containsExactly(CONFIG + "api_server.extra_args.authorization-mode");
        Cluster c = Cluster.fromYaml(InvalidInputTest.seedWithConfig("api_server:",
                "  extra_args: {authorization-mode: 'Node,RBAC,Webhook'}", "  allow_override: [authorization-mode]"));
        assertThat(c.apiServer().allowOverride()).containsExactly("authorization-mode");
        assertThat(Cluster.fromYaml(c.toYaml())).isEqualTo(c);
    }
}
