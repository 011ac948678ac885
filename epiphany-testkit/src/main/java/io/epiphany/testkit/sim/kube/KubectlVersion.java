package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.util.LinkedHashMap;
import java.util.Map;

/** SIMULATED {@code kubectl version --client [-o json]}: the host's installed kubectl, as kubectl prints it. */
final class KubectlVersion {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String KUSTOMIZE = "v5.6.0";

    private KubectlVersion() {}

    static int client(Invocation inv) throws com.fasterxml.jackson.core.JsonProcessingException {
        String version = inv.host().host(SimulationState.Host::installedKubectl);
        String output = Kubeadm.option(inv.args(), "-o").or(() -> Kubeadm.option(inv.args(), "--output")).orElse("");
        if (output.isEmpty()) {
            inv.out().println("Client Version: " + version);
            inv.out().println("Kustomize Version: " + KUSTOMIZE);
            return 0;
        }
        if (!output.equals("json")) {
            inv.err().println("error: --output must be 'yaml' or 'json' (SIMULATED kubectl: json only)");
            return 1;
        }
        String[] parts = version.substring(1).split("\\.");
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("major", parts[0]);
        client.put("minor", parts[1]);
        client.put("gitVersion", version);
        client.put("gitCommit", "0000000000000000000000000000000000000000");
        client.put("gitTreeState", "clean");
        client.put("buildDate", "2025-01-01T00:00:00Z");
        client.put("goVersion", "go1.24.5");
        client.put("compiler", "gc");
        client.put("platform", "linux/amd64");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("clientVersion", client);
        doc.put("kustomizeVersion", KUSTOMIZE);
        inv.out().println(JSON.writeValueAsString(doc));
        return 0;
    }
}
