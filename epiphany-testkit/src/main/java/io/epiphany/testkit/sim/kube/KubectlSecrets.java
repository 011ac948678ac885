package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED Secrets through {@code kubectl}: {@code get secret <name> [-n ns] -o json}, {@code get secrets
 * (-A|--all-namespaces|-n ns) -o json}, {@code get secrets <name>... -n ns -o json [--ignore-not-found]} (one name: the
 * object; several: a List of those found), {@code replace -f <file>|-} (a Secret or a List of them, the rotation's
 * documented {@code kubectl get secrets --all-namespaces -o json | kubectl replace -f -}), and Secrets in
 * {@code kubectl apply}. Each is kept in etcd under {@code /registry/secrets/<ns>/<name>} as the apiserver that
 * served the request encrypts it ({@link EncryptionAtRest}); a read fails as that apiserver fails when none of the
 * keys it loaded matches.
 */
final class KubectlSecrets {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The apiserver a request reached, or the error kubectl prints. */
    private record Served(String apiserver, String error) {}

    private KubectlSecrets() {}

    static boolean isSecrets(List<String> w) {
        return w.size() >= 2 && List.of("secret", "secrets").contains(w.get(1));
    }

    private static Served serve(SimulationState s, HostContext host, String server, String path) {
        if (s.kube == null) {
            return new Served(null, "connection refused");
        }
        ClusterAccess.Route route = ClusterAccess.route(s, host.hostname(), server);
        Optional<String> e = ClusterAccess.apiError(s, route, server + path);
        if (e.isPresent()) {
            return new Served(null, e.get());
        }
        return new Served(((ClusterAccess.Apiserver) route).host(), null);
    }

    /** Stores a Secret (create or replace) encrypted by {@code apiserver}; {@code stringData} is folded into data. */
    static void store(SimulationState s, String apiserver, ObjectNode secret) {
        ObjectNode o = secret.deepCopy();
        JsonNode stringData = o.remove("stringData");
        if (stringData != null) {
            ObjectNode data = o.with("data");
            stringData.fields().forEachRemaining(f -> data.put(f.getKey(), Base64.getEncoder()
                    .encodeToString(f.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        }
        s.kube.revision++;
        o.with("metadata").put("resourceVersion", String.valueOf(s.kube.revision));
        String ns = o.path("metadata").path("namespace").asText("default");
        String key = EncryptionAtRest.PREFIX + ns + "/" + o.path("metadata").path("name").asText();
        s.kube.keyValues.put(key, EncryptionAtRest.encrypt(s, apiserver, o.toString()));
    }

    /** {@code get secret <name>} or {@code get secrets}: decrypted by the apiserver that serves the request. */
    static int get(Invocation inv, String server, List<String> w) {
        if (!Kubeadm.option(inv.args(), "-o").or(() -> Kubeadm.option(inv.args(), "--output")).orElse("")
                .equals("json")) {
            return inv.fail(1, "the SIMULATED kubectl prints Secrets only with -o json");
        }
        boolean all = inv.args().contains("-A") || inv.args().contains("--all-namespaces");
        String ns = Kubeadm.option(inv.args(), "-n").or(() -> Kubeadm.option(inv.args(), "--namespace"))
                .orElse("default");
        List<String> names = w.subList(2, w.size());
        boolean ignoreNotFound = inv.args().contains("--ignore-not-found");
        HostContext host = inv.host();
        String[] result = host.store().read(s -> {
            Served served = serve(s, host, server, "/api/v1/" + (all ? "" : "namespaces/" + ns + "/") + "secrets"
                    + (names.size() == 1 ? "/" + names.get(0) : ""));
            if (served.error() != null) {
                return new String[] {null, served.error()};
            }
            String prefix = EncryptionAtRest.PREFIX + (all ? "" : ns + "/");
            ArrayNode items = JSON.createArrayNode();
            try {
                List<String> missing = new ArrayList<>();
                if (names.isEmpty()) {
                    for (Map.Entry<String, String> kv : s.kube.keyValues.entrySet()) {
                        if (kv.getKey().startsWith(prefix)) {
                            items.add(JSON.readTree(EncryptionAtRest.decrypt(s, served.apiserver(), kv.getKey(),
                                    kv.getValue())));
                        }
                    }
                }
                // named ones in the order given, as kubectl asks for them one by one
                for (String n : names) {
                    String stored = s.kube.keyValues.get(prefix + n);
                    if (stored == null) {
                        missing.add(n);
                    } else {
                        items.add(JSON.readTree(EncryptionAtRest.decrypt(s, served.apiserver(), prefix + n, stored)));
                    }
                }
                if (!missing.isEmpty() && !ignoreNotFound) {
                    // kubectl prints what it found, then fails: Error from server (NotFound), exit 1
                    return new String[] {null, "(NotFound): secrets \"" + missing.get(0) + "\" not found"};
                }
            } catch (IllegalStateException | IOException e) {
                return new String[] {null, e.getMessage()};
            }
            if (names.size() == 1) {
                return items.isEmpty() ? new String[] {"", null} : new String[] {items.get(0).toPrettyString(), null};
            }
            ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1");
            list.set("items", items);
            list.put("kind", "List");
            list.putObject("metadata").put("resourceVersion", "");
            return new String[] {list.toPrettyString(), null};
        });
        if (result[1] != null) {
            return Kubectl.failApi(inv, server, result[1]);
        }
        if (!result[0].isEmpty()) { // --ignore-not-found of one missing name prints nothing
            inv.out().println(result[0]);
        }
        return 0;
    }

    /** {@code replace -f <file>|-}: every Secret in it written again, so it is encrypted with the first key now. */
    static int replace(Invocation inv, String server) throws IOException {
        Optional<String> file = Kubeadm.option(inv.args(), "-f").or(() -> Kubeadm.option(inv.args(), "--filename"));
        if (file.isEmpty()) {
            return inv.fail(1, "error: must specify one of -f and -k");
        }
        String text;
        if (file.get().equals("-")) {
            text = new String(inv.stdin().readAllBytes(), StandardCharsets.UTF_8);
        } else if (inv.host().files().exists(file.get())) {
            text = inv.host().files().readString(file.get());
        } else {
            inv.err().println("error: the path \"" + file.get() + "\" does not exist");
            return 1;
        }
        List<ObjectNode> secrets = new ArrayList<>();
        try {
            for (JsonNode doc : Workloads.parse(text)) {
                for (JsonNode o : doc.path("kind").asText().equals("List") ? doc.path("items") : List.of(doc)) {
                    if (!o.path("kind").asText().equals("Secret")) {
                        return inv.fail(1, "the SIMULATED kubectl replaces only Secrets, not " + o.path("kind"));
                    }
                    secrets.add((ObjectNode) o);
                }
            }
        } catch (IOException | ClassCastException e) {
            inv.err().println("error: error parsing " + file.get() + ": " + e.getMessage());
            return 1;
        }
        String source = file.get().equals("-") ? "STDIN" : file.get();
        HostContext host = inv.host();
        String[] result = host.store().update(s -> {
            Served served = serve(s, host, server, "/api/v1/secrets");
            if (served.error() != null) {
                return new String[] {"", served.error()};
            }
            StringBuilder out = new StringBuilder();
            for (ObjectNode o : secrets) {
                String ns = o.path("metadata").path("namespace").asText("default");
                String name = o.path("metadata").path("name").asText();
                if (!s.kube.keyValues.containsKey(EncryptionAtRest.PREFIX + ns + "/" + name)) {
                    // kubectl replace's error for an object that does not exist (it does not create)
                    return new String[] {out.toString(), "(NotFound): error when replacing \"" + source
                            + "\": secrets \"" + name + "\" not found"};
                }
                store(s, served.apiserver(), o);
                out.append("secret/").append(name).append(" replaced\n");
            }
            return new String[] {out.toString(), null};
        });
        inv.out().print(result[0]);
        return result[1] == null ? 0 : Kubectl.failApi(inv, server, result[1]);
    }
}
