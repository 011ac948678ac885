package io.epiphany.testkit.sim.kube;

import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.Program;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SIMULATED {@code ctr} (containerd's own client, installed with containerd): {@code ctr -n k8s.io run --rm
 * [--net-host] --mount type=bind,src=H,dst=C,options=rbind:rw|ro ... IMAGE ID etcdutl snapshot restore ...}, a
 * one-off container from an image the CRI pulled (images kubeadm pulls live in containerd's {@code k8s.io}
 * namespace; ctr's default namespace {@code default} does not see them), which sees the host only through its bind
 * mounts. Only the etcd image's {@code etcdutl snapshot restore} runs in it: the SDK's way to etcdutl on a kubeadm
 * host, which has no etcd binaries of its own. Messages as ctr prints them (containerd cmd/ctr/commands/run).
 */
public final class Ctr implements Program {
    @Override
    public boolean changesState(List<String> args) {
        return args.contains("run");
    }

    @Override
    public int run(Invocation inv) throws IOException {
        List<String> a = inv.args();
        String namespace = Kubeadm.option(a, "-n").or(() -> Kubeadm.option(a, "--namespace")).orElse("default");
        if (!inv.root() || !inv.host().host(h -> h.active.contains("containerd"))) {
            inv.err().println("ctr: failed to dial \"/run/containerd/containerd.sock\": connection error: desc = "
                    + "\"transport: error while dialing: dial unix:///run/containerd/containerd.sock: "
                    + (inv.root() ? "no such file or directory" : "permission denied") + "\"");
            return 1;
        }
        int run = a.indexOf("run");
        if (run < 0) {
            return inv.fail(1, "the SIMULATED ctr supports only 'run --rm --mount ... IMAGE ID etcdutl ...'");
        }
        Map<String, String> mounts = new LinkedHashMap<>(); // container path → host path
        List<String> rest = new ArrayList<>();
        for (int i = run + 1; i < a.size(); i++) {
            if (a.get(i).equals("--mount") && i + 1 < a.size()) {
                Optional<String[]> m = bind(a.get(++i));
                if (m.isEmpty()) {
                    return inv.fail(1, "ctr: invalid mount option " + a.get(i));
                }
                if (!inv.host().files().isDirectory(m.get()[0])) {
                    inv.err().println("ctr: failed to create shim task: OCI runtime create failed: runc create failed:"
                            + " unable to start container process: error during container init: error mounting \""
                            + m.get()[0] + "\" to rootfs at \"" + m.get()[1] + "\": no such file or directory");
                    return 1;
                }
                mounts.put(m.get()[1], m.get()[0]);
            } else if (!a.get(i).startsWith("-")) {
                rest.add(a.get(i));
            }
        }
        if (rest.size() < 3) {
            return inv.fail(1, "ctr: image ref and container id must be provided");
        }
        String image = rest.get(0);
        boolean pulled = namespace.equals("k8s.io") && inv.host().host(h -> h.images.contains(image));
        if (!pulled) {
            inv.err().println("ctr: image \"" + image + "\": not found");
            return 1;
        }
        List<String> command = rest.subList(2, rest.size());
        if (!image.contains("/etcd:") || !command.get(0).equals("etcdutl") || command.size() < 3
                || !command.get(1).equals("snapshot") || !command.get(2).equals("restore")) {
            return inv.fail(1, "the SIMULATED ctr runs only the etcd image's 'etcdutl snapshot restore'");
        }
        List<String> e = a.subList(a.indexOf("etcdutl"), a.size());
        String file = e.size() > 3 && !e.get(3).startsWith("-") ? e.get(3) : "";
        Optional<String> dataDir = Kubeadm.option(e, "--data-dir");
        Optional<String> name = Kubeadm.option(e, "--name");
        Optional<String> cluster = Kubeadm.option(e, "--initial-cluster");
        Optional<String> peer = Kubeadm.option(e, "--initial-advertise-peer-urls");
        if (file.isEmpty() || dataDir.isEmpty() || name.isEmpty() || cluster.isEmpty() || peer.isEmpty()) {
            return inv.fail(1, "the SIMULATED etcdutl needs snapshot restore <file> --name --initial-cluster "
                    + "--initial-advertise-peer-urls --data-dir");
        }
        Optional<String> hostFile = onHost(mounts, file);
        Optional<String> hostDir = onHost(mounts, dataDir.get());
        if (hostFile.isEmpty()) {
            inv.err().println("Error: stat " + file + ": no such file or directory");
            return 1;
        }
        if (hostDir.isEmpty()) {
            // written inside the container's own filesystem, gone with --rm: nothing reaches the host
            return inv.fail(1, "SIMULATED: --data-dir " + dataDir.get() + " is not under a bind mount; the restored "
                    + "data would be removed with the container");
        }
        return EtcdSnapshots.restore(inv, hostFile.get(), hostDir.get(), name.get(), cluster.get(), peer.get());
    }

    /** {@code type=bind,src=H,dst=C,options=...} → {H, C}. */
    private static Optional<String[]> bind(String spec) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] p = part.split("=", 2);
            kv.put(p[0], p.length > 1 ? p[1] : "");
        }
        String src = kv.getOrDefault("src", kv.get("source"));
        String dst = kv.getOrDefault("dst", kv.getOrDefault("destination", kv.get("target")));
        if (!"bind".equals(kv.get("type")) || src == null || dst == null) {
            return Optional.empty();
        }
        return Optional.of(new String[] {src, dst});
    }

    private static Optional<String> onHost(Map<String, String> mounts, String path) {
        for (Map.Entry<String, String> m : mounts.entrySet()) {
            if (path.equals(m.getKey()) || path.startsWith(m.getKey() + "/")) {
                return Optional.of(m.getValue() + path.substring(m.getKey().length()));
            }
        }
        return Optional.empty();
    }
}
