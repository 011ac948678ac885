/**
 * A SIMULATED fleet of hosts for tests: {@link io.epiphany.testkit.SimulatedFleet} starts one embedded SSH server per
 * machine on 127.0.0.1, each with its own host key and file tree, running a simulated OS and a simulated kubeadm
 * cluster shared by the hosts. The SDK reaches it through its normal SSH client; nothing here is a real machine.
 */
package io.epiphany.testkit;
