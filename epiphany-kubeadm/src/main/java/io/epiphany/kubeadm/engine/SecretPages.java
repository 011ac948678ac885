package io.epiphany.kubeadm.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.api.Cluster;
import io.epiphany.api.remote.CommandResult;
import io.epiphany.api.remote.RemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Secrets in etcd read in pages, so that any number of them works within the output the SDK keeps of a command
 * (the remote access's maxOutputBytes): {@code etcdctl get <from> /registry/secrets0 --limit=<n> -w json} in the
 * master's etcd container, in key order, each page starting at the last key of the one before (etcd's range start
 * is inclusive: that key is skipped), until etcd no longer reports {@code "more": true} (etcd's RangeResponse). A page
 * whose output was cut is asked again with half as many keys. With values, only each value's head is kept.
 */
final class SecretPages {
    /** Keys per page at first; halved for a page whose output was cut. */
    static final int PAGE = 500;
    /** The end of etcd's range of Secrets: the prefix with its last byte, '/', incremented. */
    private static final String RANGE_END = "/registry/secrets0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SecretPages() {}

    /** One Secret in etcd: {@code namespace/name} and the first bytes of its stored value (empty for keys only). */
    record Stored(String namespace, String name, String valueHead) {}

    /** How many Secrets are stored under each key name ({@link EncryptionKeys#IDENTITY} for plain ones). */
    static Map<String, Long> countByKey(Cluster cluster, RemoteHost h) {
        Map<String, Long> out = new TreeMap<>();
        forEach(cluster, h, false, page -> page.forEach(s -> out.merge(EncryptionKeys.storedUnder(s.valueHead()), 1L,
                Long::sum)));
        return out;
    }

    /**
     * Every Secret's namespace and name, page by page (no value read). Throws {@link IllegalStateException} with
     * etcdctl's error when a page cannot be read.
     */
    static void forEachName(Cluster cluster, RemoteHost h, Consumer<List<Stored>> page) {
        forEach(cluster, h, true, page);
    }

    private static void forEach(Cluster cluster, RemoteHost h, boolean keysOnly, Consumer<List<Stored>> use) {
        String container = Etcd.container(cluster, h).orElseThrow(() -> new IllegalStateException("no running etcd "
                + "container on " + h.hostname() + " (crictl ps --name etcd)"));
        String from = EncryptionKeys.SECRETS_PREFIX;
        boolean first = true;
        int limit = PAGE;
        // every page moves past at least one key, and the halving is bounded: a bounded loop either way
        while (true) {
            // after the first page, the range starts at the last key read, which comes back first: one more
            int ask = first ? limit : limit + 1;
            List<String> args = new ArrayList<>(List.of("get", from, RANGE_END, "--limit=" + ask, "-w", "json"));
            if (keysOnly) {
                args.add("--keys-only");
            }
            CommandResult r = h.run(Etcd.etcdctl(cluster, container, args.toArray(String[]::new)).readOnly());
            if (!r.ok()) {
                throw new IllegalStateException("`etcdctl get " + from + " " + RANGE_END + "` exited " + r.exitCode()
                        + ": " + r.stderrTail(2));
            }
            if (r.outputTruncated()) {
                if (limit == 1) {
                    throw new IllegalStateException("a single Secret in etcd after " + from + " is larger than the "
                            + "SDK keeps of a command's output (the remote access's maxOutputBytes); raise it");
                }
                limit = Math.max(1, limit / 2);
                continue;
            }
            Page page = parse(r.stdout(), first ? null : from);
            if (!page.secrets().isEmpty()) {
                use.accept(page.secrets());
            }
            if (!page.more() || page.lastKey() == null || page.lastKey().equals(from)) {
                return;
            }
            from = page.lastKey();
            first = false;
        }
    }

    /** One page: its Secrets, the last key etcd returned (the next page starts there), whether etcd has more. */
    record Page(List<Stored> secrets, String lastKey, boolean more) {}

    /** A page of etcd's JSON; {@code skip}: the key the page starts at, already read with the one before. */
    static Page parse(String etcdJson, String skip) {
        List<Stored> out = new ArrayList<>();
        String last = null;
        try {
            JsonNode root = JSON.readTree(etcdJson);
            for (JsonNode kv : root.path("kvs")) {
                String key = new String(Base64.getDecoder().decode(kv.path("key").asText("")), StandardCharsets.UTF_8);
                last = key;
                if (key.equals(skip)) {
                    continue;
                }
                String[] parts = key.substring(Math.min(key.length(), EncryptionKeys.SECRETS_PREFIX.length()))
                        .split("/");
                if (!key.startsWith(EncryptionKeys.SECRETS_PREFIX) || parts.length != 2) {
                    continue; // not a Secret kube-apiserver wrote
                }
                byte[] value = Base64.getDecoder().decode(kv.path("value").asText(""));
                out.add(new Stored(parts[0], parts[1], new String(value, 0, Math.min(value.length, 128),
                        StandardCharsets.ISO_8859_1)));
            }
            return new Page(out, last, root.path("more").asBoolean(false));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("etcdctl get printed something that is not etcd's JSON: "
                    + e.getClass().getSimpleName());
        }
    }

    /** A page's Secrets by namespace, in order. */
    static Map<String, List<String>> byNamespace(List<Stored> page) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        page.forEach(s -> out.computeIfAbsent(s.namespace(), n -> new ArrayList<>()).add(s.name()));
        return out;
    }
}
