package io.epiphany.testkit.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * SIMULATED etcd snapshots inside a host's etcd container: {@code etcdctl snapshot save <file>} (etcd's v3 snapshot
 * of the member's keyspace, streamed to a file the container sees through its hostPath mounts; "Snapshot saved at
 * <file>") and {@code etcdutl snapshot status <file> -w json} (etcd 3.5+: {@code hash}, {@code revision},
 * {@code totalKey}, {@code totalSize}, {@code version}). The SIMULATED file is not bbolt: a header line, then the
 * revision and the key/values as JSON; then, as etcd appends to every snapshot it streams (v3rpc maintenance.go
 * {@code Snapshot}: "the last 32 bytes are the sha256 of the snapshot"), the 32-byte SHA-256 of what came before,
 * which {@code status} and {@code restore} check. {@code totalSize} is the database's size, without those 32 bytes,
 * as etcdutl reports it.
 */
final class EtcdSnapshots {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADER = "SIMULATED etcd snapshot v1";
    /** etcd's integrity trailer: a SHA-256. */
    private static final int HASH_BYTES = 32;
    private static final String INTEGRITY = "Error: snapshot file integrity check failed. 0 errors found.\n"
            + "(SIMULATED: not a snapshot this simulation wrote, or changed since)";
    /** The file a real member keeps its bbolt database in; the SIMULATED one is JSON. */
    private static final String RESTORED_DB = "db";

    private EtcdSnapshots() {}

    /** {@code snapshot save <file>}: the keyspace of the member reached, written where the container can write. */
    static int save(Invocation inv, List<String> mounts, List<String> w, boolean connected) throws IOException {
        if (w.size() != 3) {
            inv.err().println("Error: snapshot save expects one argument");
            return 128;
        }
        String file = w.get(2);
        if (!visible(mounts, file)) {
            inv.err().println("Error: could not open " + file + ".part (open " + file + ".part: no such file or "
                    + "directory)");
            return 5;
        }
        if (!connected) {
            inv.err().println("Error: context deadline exceeded");
            return 1;
        }
        HostContext host = inv.host();
        Map<String, Object> doc = host.store().read(s -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cluster", s.kube.clusterName);
            d.put("revision", s.kube.revision);
            // what the API server keeps in etcd (SIMULATED keys under /registry, as kube-apiserver names them) and the
            // keys written directly: a real cluster's etcd is never empty
            TreeMap<String, String> keys = new TreeMap<>(s.kube.keyValues);
            s.kube.nodes.keySet().forEach(n -> keys.put("/registry/minions/" + n, "SIMULATED Node " + n));
            s.kube.objects.keySet().forEach(o -> keys.put("/registry/" + o.toLowerCase(java.util.Locale.ROOT),
                    "SIMULATED " + o));
            keys.put("/registry/configmaps/kube-system/kubeadm-config", "SIMULATED kubeadm-config");
            d.put("keyValues", keys);
            d.put("version", s.etcdVersion);
            // what a restored member serves again (SIMULATED: the objects as the simulation keeps them)
            d.put("etcdctlKeys", new TreeMap<>(s.kube.keyValues));
            d.put("objects", new TreeMap<>(s.kube.objects));
            d.put("nodes", JSON.convertValue(s.kube.nodes, Map.class));
            return d;
        });
        byte[] body = (HEADER + "\n" + JSON.writeValueAsString(doc) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] withHash = java.util.Arrays.copyOf(body, body.length + HASH_BYTES);
        System.arraycopy(sha256(body, body.length), 0, withHash, body.length, HASH_BYTES);
        host.files().write(file, withHash, 0600);
        inv.out().println("Snapshot saved at " + file);
        return 0;
    }

    /** {@code etcdutl snapshot status <file> -w json}: refuses a file whose CRC does not match, as etcdutl does. */
    static int etcdutl(Invocation inv, List<String> mounts) throws IOException {
        List<String> a = inv.args();
        List<String> w = a.stream().filter(x -> !x.startsWith("-") && !x.equals("json") && !x.equals("table"))
                .toList();
        if (w.size() != 3 || !w.get(0).equals("snapshot") || !w.get(1).equals("status")) {
            inv.err().println("Error: the SIMULATED etcdutl supports only 'snapshot status <file> -w json'");
            return 1;
        }
        String file = w.get(2);
        if (!visible(mounts, file) || !inv.host().files().exists(file)) {
            inv.err().println("Error: stat " + file + ": no such file or directory");
            return 1;
        }
        byte[] content = inv.host().files().read(file);
        JsonNode doc = checked(content);
        if (doc == null) {
            inv.err().println(INTEGRITY);
            return 1;
        }
        int size = content.length - HASH_BYTES;
        CRC32 crc = new CRC32();
        crc.update(content, 0, size);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hash", crc.getValue());
        out.put("revision", doc.path("revision").asLong());
        out.put("totalKey", doc.path("keyValues").size());
        out.put("totalSize", size);
        out.put("version", doc.path("version").asText().replaceFirst("^(\\d+\\.\\d+).*", "$1.0"));
        inv.out().println(JSON.writeValueAsString(out));
        return 0;
    }

    /** The snapshot's document, or null when the file is not an intact SIMULATED snapshot. */
    private static JsonNode checked(byte[] content) throws IOException {
        int size = content.length - HASH_BYTES;
        byte[] header = (HEADER + "\n").getBytes(StandardCharsets.UTF_8);
        if (size < header.length || !java.util.Arrays.equals(content, 0, header.length, header, 0, header.length)
                || !java.util.Arrays.equals(content, size, content.length, sha256(content, size), 0, HASH_BYTES)) {
            return null;
        }
        return JSON.readTree(new String(content, header.length, size - header.length, StandardCharsets.UTF_8));
    }

    /** The SHA-256 of the first {@code length} bytes. */
    private static byte[] sha256(byte[] content, int length) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            d.update(content, 0, length);
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code etcdutl snapshot restore <file> --name N --initial-cluster N=URL --initial-advertise-peer-urls URL
     * --data-dir D}, paths as the host sees them: a new single-member data directory from the snapshot. As etcd's
     * {@code snapshot.Restore} (etcd server/etcdutl/snapshot/v3_snapshot.go): a data dir that is not empty is
     * refused, the local name must be in the initial cluster with the advertised peer URL, and the snapshot's
     * integrity hash is checked. SIMULATED data dir: {@code member/snap/db} holds the keyspace and the new member.
     */
    static int restore(Invocation inv, String file, String dataDir, String name, String initialCluster,
            String peerUrl) throws IOException {
        HostFiles f = inv.host().files();
        if (!f.exists(file)) {
            inv.err().println("Error: stat " + file + ": no such file or directory");
            return 1;
        }
        if (f.exists(dataDir) && !f.list(dataDir).isEmpty()) {
            inv.err().println("Error: data-dir \"" + dataDir + "\" not empty or could not be read");
            return 1;
        }
        if (!List.of(initialCluster.split(",")).contains(name + "=" + peerUrl)) {
            inv.err().println("Error: couldn't find local name \"" + name + "\" in the initial cluster configuration");
            return 1;
        }
        JsonNode doc = checked(f.read(file));
        if (doc == null) {
            inv.err().println(INTEGRITY);
            return 1;
        }
        Map<String, Object> restored = JSON.convertValue(doc, Map.class);
        restored.put("member", Map.of("name", name, "peerUrl", peerUrl));
        f.mkdirs(dataDir + "/member/snap");
        f.write(dataDir + "/member/snap/" + RESTORED_DB, JSON.writeValueAsString(restored), 0600);
        f.write(dataDir + "/member/wal/0000000000000000-0000000000000000.wal", "SIMULATED wal\n", 0600);
        inv.err().println("{\"level\":\"info\",\"msg\":\"restored snapshot\",\"path\":\"" + file
                + "\",\"wal-dir\":\"" + dataDir + "/member/wal\",\"data-dir\":\"" + dataDir + "\"}");
        return 0;
    }

    /** The data directory a restore wrote ({@code /var/lib/etcd}), or null: what {@code kubeadm init} starts on. */
    static JsonNode restoredData(HostFiles f, String dataDir) throws IOException {
        String db = dataDir + "/member/snap/" + RESTORED_DB;
        String text = f.exists(db) ? f.readString(db) : "";
        return text.startsWith("{") ? JSON.readTree(text) : null; // else a member this simulation started itself
    }

    /** A new cluster's etcd serving the restored keyspace (what an etcd started on a restored data dir serves). */
    static void seed(SimulationState.Kube k, JsonNode restored) {
        k.revision = Math.max(k.revision, restored.path("revision").asLong(1));
        restored.path("etcdctlKeys").fields().forEachRemaining(e -> k.keyValues.put(e.getKey(), e.getValue().asText()));
        restored.path("objects").fields().forEachRemaining(e -> k.objects.put(e.getKey(), e.getValue().asText()));
        restored.path("nodes").fields().forEachRemaining(e -> k.nodes.put(e.getKey(),
                JSON.convertValue(e.getValue(), SimulationState.Node.class)));
        k.history.add("snapshot restored (revision " + restored.path("revision").asLong() + ")");
    }

    private static boolean visible(List<String> mounts, String file) {
        return mounts.stream().anyMatch(m -> file.startsWith(m + "/"));
    }

}
