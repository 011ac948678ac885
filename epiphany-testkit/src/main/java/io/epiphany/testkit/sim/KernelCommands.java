package io.epiphany.testkit.sim;

import java.util.List;
import java.util.Map;

/**
 * SIMULATED {@code swapon --show=NAME --noheadings}, {@code swapoff -a}, {@code lsmod}, {@code modprobe <name>}: the
 * host's swap and kernel modules live in {@link SimulationState.Host}; nothing touches a real kernel. Messages are
 * util-linux's and kmod's.
 */
final class KernelCommands {
    /** The modules the simulated kernel has (br_netfilter pulls in bridge), with lsmod's sizes. */
    static final Map<String, Integer> SIZES = Map.of("overlay", 188416, "br_netfilter", 32768, "bridge", 311296);
    static final List<String> KNOWN_MODULES = List.of("overlay", "br_netfilter");
    static final String KERNEL = "6.1.0-SIMULATED-amd64";

    private KernelCommands() {}

    /** Loads a module and what it brings: br_netfilter creates the net.bridge sysctls at 0. */
    static void load(SimulationState.Host h, String module) {
        if (h.modules.add(module) && module.equals("br_netfilter")) {
            h.modules.add("bridge");
            h.sysctls.putIfAbsent("net.bridge.bridge-nf-call-iptables", "0");
            h.sysctls.putIfAbsent("net.bridge.bridge-nf-call-ip6tables", "0");
        }
    }

    static Program swapon() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return false;
            }

            @Override
            public int run(Invocation inv) {
                if (!inv.args().equals(List.of("--show=NAME", "--noheadings"))) {
                    return inv.fail(1, "only 'swapon --show=NAME --noheadings' is supported by the SIMULATED host");
                }
                inv.host().host(h -> h.swap).forEach(inv.out()::println);
                return 0;
            }
        };
    }

    static Program swapoff() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return true;
            }

            @Override
            public int run(Invocation inv) {
                if (!inv.args().equals(List.of("-a"))) {
                    return inv.fail(1, "only 'swapoff -a' is supported by the SIMULATED host");
                }
                if (!inv.root()) {
                    return inv.fail(1, "Not superuser.");
                }
                inv.host().store().update(s -> {
                    s.hosts.get(inv.host().hostname()).swap.clear();
                    return null;
                });
                return 0;
            }
        };
    }

    static Program lsmod() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return false;
            }

            @Override
            public int run(Invocation inv) {
                inv.out().println("Module                  Size  Used by");
                List<String> loaded = List.copyOf(inv.host().host(h -> h.modules));
                for (String m : loaded) {
                    String usedBy = m.equals("bridge") && loaded.contains("br_netfilter") ? "1 br_netfilter" : "0";
                    inv.out().printf("%-19s %9d  %s%n", m, SIZES.getOrDefault(m, 16384), usedBy);
                }
                return 0;
            }
        };
    }

    static Program modprobe() {
        return new Program() {
            @Override
            public boolean changesState(List<String> args) {
                return true;
            }

            @Override
            public int run(Invocation inv) {
                if (inv.args().size() != 1 || inv.args().get(0).startsWith("-")) {
                    return inv.fail(1, "only 'modprobe <module>' is supported by the SIMULATED host");
                }
                String module = inv.args().get(0);
                if (!KNOWN_MODULES.contains(module)) {
                    // kmod: "modprobe: FATAL: Module %s not found in directory %s"
                    inv.err().println("modprobe: FATAL: Module " + module + " not found in directory /lib/modules/"
                            + KERNEL);
                    return 1;
                }
                if (!inv.root()) {
                    inv.err().println("modprobe: ERROR: could not insert '" + module + "': Operation not permitted");
                    return 1;
                }
                inv.host().store().update(s -> {
                    load(s.hosts.get(inv.host().hostname()), module);
                    return null;
                });
                return 0;
            }
        };
    }
}
