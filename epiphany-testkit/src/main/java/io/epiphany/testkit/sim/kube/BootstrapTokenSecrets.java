package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.epiphany.testkit.sim.SimulationState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * SIMULATED bootstrap token Secrets: a Secret of type {@code bootstrap.kubernetes.io/token} created in
 * {@code kube-system} (by {@code kubectl create/apply -f}) becomes one of the cluster's bootstrap tokens, as the API
 * server's bootstrap token authenticator and the controller-manager's bootstrap signer read such Secrets
 * (kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/, "Bootstrap Token Secret Format"; k/k
 * {@code plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go}, {@code staging/src/k8s.io/cluster-bootstrap}).
 * The API server stores any Secret; one that does not follow the format (name not {@code bootstrap-token-<token-id>},
 * bad id or secret, unparseable {@code expiration}, which counts as expired, or an extra group outside
 * {@code system:bootstrappers:}) is kept but never authenticates nor signs.
 */
final class BootstrapTokenSecrets {
    static final String TYPE = "bootstrap.kubernetes.io/token";
    private static final Pattern ID = Pattern.compile("^[a-z0-9]{6}$");
    private static final Pattern SECRET = Pattern.compile("^[a-z0-9]{16}$");
    private static final Pattern GROUP = Pattern.compile("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$");

    private BootstrapTokenSecrets() {}

    /** Whether the object is a Secret the bootstrap token machinery reads. */
    static boolean isBootstrapToken(JsonNode o) {
        return o.path("kind").asText("").equals("Secret") && o.path("type").asText("").equals(TYPE)
                && o.path("metadata").path("namespace").asText("default").equals("kube-system");
    }

    /**
     * Stores the Secret as a token: {@code replace} as {@code apply} does, else refused like {@code create} when a
     * token of that name exists. Returns kubectl's line, or the error (starting {@code !}).
     */
    static String store(SimulationState s, JsonNode secret, boolean replace, String verb) {
        String name = secret.path("metadata").path("name").asText("");
        String prefix = "bootstrap-token-";
        String nameId = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
        boolean exists = s.kube.tokens.stream().anyMatch(t -> t.id.equals(nameId));
        if (exists && !replace) {
            return "!(AlreadyExists): secrets \"" + name + "\" already exists";
        }
        Map<String, String> data = data(secret);
        String id = data.getOrDefault("token-id", "");
        String value = data.getOrDefault("token-secret", "");
        SimulationState.Token t = new SimulationState.Token();
        t.id = nameId;
        t.sha256 = Kubeadm.sha256(id + "." + value);
        boolean wellFormed = name.equals(prefix + id) && ID.matcher(id).matches() && SECRET.matcher(value).matches();
        t.expires = expires(data.get("expiration"));
        t.groups = data.containsKey("auth-extra-groups")
                ? List.of(data.get("auth-extra-groups").split(",")).stream().map(String::trim).toList() : List.of();
        boolean groupsOk = t.groups.stream().allMatch(g -> GROUP.matcher(g).matches());
        t.signing = wellFormed && "true".equals(data.get("usage-bootstrap-signing"));
        t.authentication = wellFormed && groupsOk && "true".equals(data.get("usage-bootstrap-authentication"));
        s.kube.tokens.removeIf(x -> x.id.equals(nameId));
        s.kube.tokens.add(t);
        s.kube.revision++;
        return "secret/" + name + " " + verb;
    }

    /** {@code data} (base64) overlaid with {@code stringData}, as the API server merges them. */
    private static Map<String, String> data(JsonNode secret) {
        Map<String, String> out = new LinkedHashMap<>();
        secret.path("data").fields().forEachRemaining(e -> {
            try {
                out.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue().asText("")),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException bad) {
                out.put(e.getKey(), "");
            }
        });
        secret.path("stringData").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText("")));
        return out;
    }

    /** Epoch seconds; 0 without an expiration; an unparseable one is treated as expired (1). */
    private static long expires(String expiration) {
        if (expiration == null) {
            return 0;
        }
        try {
            return Instant.parse(expiration).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 1;
        }
    }
}
