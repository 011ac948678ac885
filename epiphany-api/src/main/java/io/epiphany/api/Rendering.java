package io.epiphany.api;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/** Every file the SDK puts on every host of a cluster, as computed from the model alone. */
public final class Rendering {
    private final Map<String, List<HostFile>> filesByHost;

    public Rendering(Map<String, List<HostFile>> filesByHost) {
        this.filesByHost = Map.copyOf(filesByHost);
    }

    /** Hostnames, in the cluster's order is not guaranteed: use {@link Cluster#machines()} for order. */
    public Set<String> hosts() {
        return filesByHost.keySet();
    }

    /** The files of one host, in the order the SDK writes them. */
    public List<HostFile> files(String hostname) {
        List<HostFile> files = filesByHost.get(hostname);
        if (files == null) {
            throw new NoSuchElementException("no machine '" + hostname + "' in this cluster; hosts: " + hosts());
        }
        return files;
    }

    /** One file of one host. */
    public HostFile file(String hostname, String path) {
        return files(hostname).stream().filter(f -> f.path().equals(path)).findFirst()
                .orElseThrow(() -> new NoSuchElementException(hostname + " has no rendered file " + path));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Rendering{");
        filesByHost.forEach((h, fs) -> sb.append("\n  ").append(h).append(": ").append(fs));
        return sb.append("\n}").toString();
    }
}
