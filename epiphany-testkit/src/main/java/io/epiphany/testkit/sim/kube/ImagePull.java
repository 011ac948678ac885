package io.epiphany.testkit.sim.kube;

import io.epiphany.api.KubernetesVersion;
import io.epiphany.testkit.sim.Containerd;
import io.epiphany.testkit.sim.Invocation;
import io.epiphany.testkit.sim.SimulationState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIMULATED image pulls through containerd's CRI: {@code kubeadm config images pull --config <cfg>} (kubeadm's
 * {@code [config/images] Pulled <image>} lines), and the pulls kubeadm init/join do in their preflight. Images come
 * from the config's {@code imageRepository} (default registry.k8s.io; CoreDNS is {@code coredns/coredns} there and
 * {@code coredns} under any other repository, as kubeadm names it); a registry the fleet does not serve fails as
 * containerd's resolver does, and nothing is fetched. Every pulled image is recorded on the host.
 */
final class ImagePull {
    private ImagePull() {}

    /** The control-plane images kubeadm pulls for a version (SIMULATED tags for CoreDNS and pause). */
    static List<String> controlPlaneImages(String repository, String version, String etcdVersion) {
        String v = version.startsWith("v") ? version : "v" + version;
        List<String> out = new ArrayList<>();
        for (String c : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy")) {
            out.add(repository + "/" + c + ":" + v);
        }
        out.add(repository + (repository.equals("registry.k8s.io") ? "/coredns/coredns" : "/coredns") + ":v1.12.1");
        out.add(repository + "/pause:3.10.1");
        out.add(repository + "/etcd:" + etcdVersion + "-0");
        return out;
    }

    /**
     * {@code kubeadm config images list --kubernetes-version <v> [--image-repository <r>]}: the images, one per line,
     * read-only; a version the binary cannot deploy is refused as kubeadm refuses it.
     */
    static int list(Invocation inv) {
        List<String> a = inv.args();
        String version = Kubeadm.option(a, "--kubernetes-version").orElse(inv.host().host(h -> h.kubeadmVersion));
        String repository = Kubeadm.option(a, "--image-repository").orElse("registry.k8s.io");
        Optional<String> refused = KubeadmReleases.refusal(inv.host().host(h -> h.kubeadmVersion), version);
        if (refused.isPresent()) {
            inv.err().println(refused.get());
            return 1;
        }
        controlPlaneImages(repository, version, inv.host().store().read(s -> s.etcdVersion))
                .forEach(inv.out()::println);
        return 0;
    }


    /** {@code kubeadm config images pull --config <cfg>}. */
    static int run(Invocation inv) throws IOException {
        KubeadmConfig config = Kubeadm.readConfig(inv);
        if (config == null) {
            return 1;
        }
        String version = config.cluster("kubernetesVersion").orElse(inv.host().host(h -> h.kubeadmVersion));
        Optional<String> refused = KubeadmReleases.refusal(inv.host().host(h -> h.kubeadmVersion), version);
        if (refused.isPresent()) {
            inv.err().println(refused.get());
            return 1;
        }
        String repository = config.cluster("imageRepository").orElse("registry.k8s.io");
        List<String> images = controlPlaneImages(repository, version, inv.host().store().read(s -> s.etcdVersion));
        Optional<String> failed = pull(inv, images, true);
        if (failed.isPresent()) {
            inv.err().println(failed.get());
            inv.err().println("To see the stack trace of this error execute with --v=5 or higher");
            return 1;
        }
        return 0;
    }

    /**
     * What init and join pull in their preflight: the control-plane images, or a worker's kube-proxy; and containerd's
     * sandbox image ({@code sandbox} in its config; built-in default registry.k8s.io/pause), which every pod needs.
     */
    static Optional<String> duringPreflight(Invocation inv, KubeadmConfig cluster, String version, boolean controlPlane)
            throws IOException {
        String repository = cluster.cluster("imageRepository").orElse("registry.k8s.io");
        if (controlPlane) {
            inv.out().println("[preflight] Pulling images required for setting up a Kubernetes cluster");
            List<String> images = new ArrayList<>(controlPlaneImages(repository, version,
                    inv.host().store().read(s -> s.etcdVersion)));
            // the pod sandboxes of the static pods use containerd's own sandbox image, wherever its config points
            String sandbox = Containerd.sandboxImage(inv.host().files());
            if (!images.contains(sandbox)) {
                images.add(sandbox);
            }
            return pull(inv, images, false);
        }
        String v = version.startsWith("v") ? version : "v" + version;
        return pull(inv, List.of(repository + "/kube-proxy:" + v, Containerd.sandboxImage(inv.host().files())), false);
    }

    /** Pulls images not yet in containerd's store; the error of the first that fails. */
    static Optional<String> pull(Invocation inv, List<String> images, boolean print) {
        SimulationState.Host h = inv.host().host(x -> x);
        Optional<String> cri = HostPreflight.criProblem(h);
        if (cri.isPresent()) {
            return Optional.of("failed to create new CRI image service: " + cri.get().replace("container runtime is "
                    + "not running: ", "").replace("runtime.v1.RuntimeService", "runtime.v1.ImageService")
                    .replace("CRI v1 runtime API", "CRI v1 image API"));
        }
        List<String> registries = inv.host().store().read(s -> List.copyOf(s.registries));
        for (String image : images) {
            boolean served = registries.stream().anyMatch(r -> image.startsWith(r + "/"));
            if (!served) {
                String host = image.substring(0, image.indexOf('/') < 0 ? image.length() : image.indexOf('/'));
                String name = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
                String tag = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "latest";
                return Optional.of("failed to pull image \"" + image + "\": rpc error: code = Unknown desc = failed to "
                        + "pull and unpack image \"" + image + "\": failed to resolve reference \"" + image + "\": "
                        + "failed to do request: Head \"https://" + host + "/v2/" + name.substring(host.length() + 1)
                        + "/manifests/" + tag + "\": dial tcp: lookup " + host + ": no such host");
            }
            inv.host().store().update(s -> s.hosts.get(inv.host().hostname()).images.add(image));
            if (print) {
                inv.out().println("[config/images] Pulled " + image);
            }
        }
        return Optional.empty();
    }

    static boolean atLeast(String version, int minor) {
        return KubernetesVersion.parse(version).map(v -> v.atLeast(minor)).orElse(false);
    }
}
