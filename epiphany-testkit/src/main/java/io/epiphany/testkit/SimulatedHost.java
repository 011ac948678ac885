package io.epiphany.testkit;

import io.epiphany.testkit.sim.HostContext;
import io.epiphany.testkit.sim.HostFiles;
import io.epiphany.testkit.sim.SimulatedOs;
import io.epiphany.testkit.sim.SimulationState;
import io.epiphany.testkit.sim.StateStore;
import io.epiphany.testkit.sim.kube.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;

/**
 * One SIMULATED host of a {@link SimulatedFleet}: an SSH server on 127.0.0.1 with its own host key and file tree,
 * counters of what it was asked to do, its {@link #faults()} and its power switch.
 *
 * <p>{@link #writeCount()} counts changes to the host's files: each file written over SFTP (once per open handle),
 * each SFTP mkdir/rename/remove/attribute change, and each file or directory changed by a command.
 */
public final class SimulatedHost {
    private final String hostname;
    private final String ip;
    private final HostFiles files;
    private final HostContext context;
    private final HostFaults faults;
    private final KeyPair hostKey;
    private final java.util.function.Supplier<SshServer> serverFactory;
    private SshServer server;
    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong changingCommands = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final ProcessLog processes = new ProcessLog();
    private final List<ServerSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int port;

    SimulatedHost(String hostname, String ip, Path root, StateStore store, KeyPair hostKey, PublicKey clientKey,
            FleetIo io, SimulatedOs os) {
        this.hostname = hostname;
        this.ip = ip;
        this.hostKey = hostKey;
        this.faults = new HostFaults(this::applyReachability);
        this.files = new HostFiles(root, path -> writes.incrementAndGet(), faults::isDiskFull);
        this.context = new HostContext(hostname, files, store, Clock.systemUTC());
        this.serverFactory = () -> HostSshServer.create(this, hostKey, clientKey, io, os, files.root(),
                new SftpWriteCounter(faults, writes), sessions);
    }

    synchronized void start() throws IOException {
        server = serverFactory.get();
        server.setPort(port);
        server.start();
        port = server.getPort();
    }

    synchronized void close() throws IOException {
        if (server != null) {
            server.stop(true);
        }
    }

    /** The machine's hostname (as in the cluster model). */
    public String hostname() {
        return hostname;
    }

    /** The modelled IP of the machine; the SSH server itself listens on 127.0.0.1:{@link #sshPort()}. */
    public String ip() {
        return ip;
    }

    public int sshPort() {
        return port;
    }

    /** Where this host's files are on the machine running the test ({@code /etc/x} is {@code root()/etc/x}). */
    public Path root() {
        return files.root();
    }

    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /** SSH exec requests received (every command line, whatever its outcome). */
    public long commandCount() {
        return commands.get();
    }

    /** Commands that ask for a change, classified by the server from the command itself. */
    public long stateChangingCommandCount() {
        return changingCommands.get();
    }

    /** The command lines of the processes commands started here, as the host's process list showed them. */
    public ProcessLog processes() {
        return processes;
    }

    /** Changes made to this host's files (see the class comment). */
    public long writeCount() {
        return writes.get();
    }

    /**
     * SSH sessions open on this host that have not authenticated yet: the server's view of a client's connects in
     * flight (a session exists from the TCP accept; the client's bound is released once it is authenticated).
     */
    public int unauthenticatedSessionCount() {
        return (int) sessions.stream().filter(s -> !s.isAuthenticated()).count();
    }

    /** Sets every counter back to 0, e.g. between a first apply and a re-apply. */
    public void resetCounters() {
        commands.set(0);
        changingCommands.set(0);
        writes.set(0);
    }

    public HostFaults faults() {
        return faults;
    }

    /** The machine goes down: SSH refused, its etcd member and apiserver stop, its Node turns NotReady. */
    public void powerOff() {
        context.store().update(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            h.up = false;
            h.active.clear();
            h.haproxyConfig = null;
            h.controlPlaneRunning = false;
            return null;
        });
        applyReachability();
    }

    /**
     * SIMULATED network partition: from now on this host cannot reach {@code hostnames} (its HAProxy's checks of them
     * time out, {@code L4TOUT}; its requests to them fail), while every other host still can.
     * {@link #restoreLinks()} heals it.
     */
    public void cutLinkTo(String... hostnames) {
        context.store().update(s -> {
            s.hosts.get(hostname).cutLinks.addAll(List.of(hostnames));
            return null;
        });
    }

    /** Heals every link {@link #cutLinkTo} cut from this host. */
    public void restoreLinks() {
        context.store().update(s -> {
            s.hosts.get(hostname).cutLinks.clear();
            return null;
        });
    }

    /**
     * The host's static pods (etcd member, apiserver) stop, as when their containers crash, while the machine and
     * SSH stay up: its etcd member turns unhealthy and its apiserver stops answering.
     */
    public void crashControlPlane() {
        context.store().update(s -> {
            s.hosts.get(hostname).controlPlaneRunning = false;
            return null;
        });
    }

    /**
     * The kubelet stops and so do the static pods it ran (etcd member, apiserver), as on a master whose kubelet and
     * control plane went down while the machine and SSH stay up: its Node turns Unknown ("Kubelet stopped posting
     * node status."), {@code systemctl is-active kubelet} says inactive, {@code crictl ps --name etcd} lists nothing.
     * {@code systemctl start kubelet} brings it all back. (A plain {@code systemctl stop kubelet} stops only the
     * kubelet: containers belong to containerd and keep running.)
     */
    public void stopKubelet() {
        context.store().update(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            h.active.remove("kubelet");
            h.controlPlaneRunning = false;
            return null;
        });
    }

    /**
     * Only the etcd container stops (its process crashed): the member turns unhealthy, {@code crictl ps --name etcd}
     * lists nothing, and this host's apiserver fails {@code /readyz} (its {@code --etcd-servers} is its own member).
     * Restarting the kubelet starts it again with a new container ID, as the kubelet restarts a static pod.
     */
    public void stopEtcd() {
        context.store().update(s -> {
            s.hosts.get(hostname).etcdStopped = true;
            return null;
        });
    }

    /**
     * Installs other Kubernetes binaries on this host, e.g. to make it skewed: {@code kubeadm version}, {@code kubelet
     * --version} and {@code kubectl version --client} print these (a running kubelet reports its new version to its
     * Node once it restarts).
     */
    public void installVersions(String kubeadm, String kubelet, String kubectl) {
        for (String v : List.of(kubeadm, kubelet, kubectl)) {
            if (!v.matches("v\\d+\\.\\d+\\.\\d+")) {
                throw new IllegalArgumentException("a Kubernetes version looks like v1.33.4, was " + v);
            }
        }
        context.store().update(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            h.kubeadmVersion = kubeadm;
            h.kubeletVersion = kubelet;
            h.kubectlVersion = kubectl;
            return null;
        });
    }

    /** The machine boots: enabled services start (haproxy with its config file, kubelet with its static pods). */
    public void powerOn() {
        context.store().update(s -> {
            SimulationState.Host h = s.hosts.get(hostname);
            h.up = true;
            try {
                io.epiphany.testkit.sim.HostSetup.boot(h, files);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            h.active.addAll(h.enabled);
            if (io.epiphany.testkit.sim.Containerd.kubeletRefusal(h).isPresent()) {
                h.active.remove("kubelet"); // it exits at once (swap back on after the boot, cgroup v1)
            }
            return null;
        });
        if (context.host(h -> h.active.contains("containerd"))) {
            try {
                io.epiphany.testkit.sim.Containerd.started(context); // it reads its config again at boot
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (context.host(h -> h.active.contains("haproxy"))) {
            String config = files.exists("/etc/haproxy/haproxy.cfg") ? read("/etc/haproxy/haproxy.cfg") : null;
            boolean valid = config != null && io.epiphany.testkit.sim.HaproxyConfig.parse(config).problems().isEmpty();
            context.store().update(s -> {
                SimulationState.Host h = s.hosts.get(hostname);
                if (valid) {
                    h.haproxyLoaded(config);
                } else {
                    h.active.remove("haproxy");
                }
                return null;
            });
        }
        if (context.host(h -> h.active.contains("kubelet"))) {
            ControlPlane.kubeletStarted(context);
        }
        applyReachability();
    }

    /**
     * The flags of this host's kube-apiserver static pod manifest (name → value, without the leading {@code --}),
     * as the kubelet runs it; empty when the host has no control plane.
     */
    public Map<String, String> apiserverFlags() {
        return Map.copyOf(ControlPlane.manifestFlags(files, "kube-apiserver"));
    }

    /** The image of this host's kube-apiserver static pod (its tag is the version it runs), or "" without one. */
    public String apiserverImage() {
        return ControlPlane.manifestImage(files, "kube-apiserver").orElse("");
    }

    /** Whether the kubelet service runs. */
    public boolean kubeletRunning() {
        return context.host(h -> h.up && h.active.contains("kubelet"));
    }

    /**
     * The backends of the config this host's HAProxy runs with (read at its last start or reload), backend name to
     * servers; empty when HAProxy does not run. Read from the simulation, not through the SDK.
     */
    public Map<String, List<SimulatedCluster.HaproxyServer>> haproxyBackends() {
        return context.store().read(s -> SimulatedCluster.haproxyBackends(s, hostname));
    }

    /** Whether this host's etcd container runs. */
    public boolean etcdRunning() {
        return context.store().read(s -> io.epiphany.testkit.sim.kube.ClusterAccess.etcdContainerRunning(s, hostname));
    }

    /** This machine's operating system now (after the CNI's pod, if any, wrote its config). */
    public HostSystem system() {
        io.epiphany.testkit.sim.kube.Workloads.reconcile(context);
        return context.store().read(s -> HostSystem.of(s.hosts.get(hostname), files));
    }

    void writeInitialFiles(boolean bare) throws IOException {
        io.epiphany.testkit.sim.HostSetup.writeFiles(context.host(h -> h), files, bare);
    }

    /** Removes a binary, as on a machine that lacks it (e.g. {@code kubeadm}): it then answers 127. */
    public void removeBinary(String name) {
        context.store().update(s -> s.hosts.get(hostname).binaries.remove(name));
    }

    HostContext context() {
        return context;
    }

    void countCommand(boolean changesState) {
        commands.incrementAndGet();
        if (changesState) {
            countChange();
        }
    }

    void countChange() {
        changingCommands.incrementAndGet();
    }

    private String read(String path) {
        try {
            return files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void applyReachability() {
        boolean reachable = !faults.isUnreachable() && context.host(h -> h.up);
        try {
            if (!reachable && server != null && server.isStarted()) {
                server.stop(true);
                for (ServerSession s : new ArrayList<>(sessions)) {
                    s.close(true);
                }
            } else if (reachable && (server == null || !server.isStarted())) {
                start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(hostname + ": could not " + (reachable ? "re-open" : "close")
                    + " the SSH port " + port, e);
        }
    }
}
