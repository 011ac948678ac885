package io.epiphany.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test kit's SIMULATED CNI: a DaemonSet whose pod, in the simulation, puts {@code 10-sim-cni.conflist} into
 * {@code /etc/cni/net.d} of every node whose kubelet runs. Written by the test kit itself; no third-party manifest
 * is copied.
 */
public final class SimulatedCni {
    /** The manifest. */
    public static final String MANIFEST = """
            # SIMULATED CNI of the epiphany test kit: its pod puts a config into /etc/cni/net.d on every node
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: sim-cni
              namespace: kube-system
            spec:
              selector:
                matchLabels:
                  app: sim-cni
              template:
                metadata:
                  labels:
                    app: sim-cni
                spec:
                  tolerations:
                  - operator: Exists
                  containers:
                  - name: install-cni
                    image: registry.k8s.io/pause:3.10.1
                    volumeMounts:
                    - name: cni-conf
                      mountPath: /etc/cni/net.d
                  volumes:
                  - name: cni-conf
                    hostPath:
                      path: /etc/cni/net.d
            """;

    private SimulatedCni() {}

    /** Writes {@link #MANIFEST} to {@code dir/sim-cni.yaml} and returns that path. */
    public static Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("sim-cni.yaml");
            Files.writeString(file, MANIFEST, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
