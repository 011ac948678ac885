/**
 * SIMULATED operating system of a test host: a small shell and exactly the commands of {@code docs/host-commands.md}.
 * Transport-independent: {@link io.epiphany.testkit.sim.SimulatedOs} is driven by the in-process SSH servers of
 * {@link io.epiphany.testkit.SimulatedFleet} and by {@link io.epiphany.testkit.sim.SimulatorMain} (one process per
 * command, for hosts made of network namespaces). Nothing here is a real shell or a real Kubernetes.
 */
package io.epiphany.testkit.sim;
