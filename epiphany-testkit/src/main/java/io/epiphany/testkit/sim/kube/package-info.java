/**
 * SIMULATED Kubernetes for the test fleet: {@code kubeadm}, {@code kubectl} and {@code etcdctl} over one shared
 * cluster, following kubeadm's documented behaviour (preflight errors, discovery with bootstrap tokens and CA pins,
 * learner etcd members, reset skipping member removal when the Node is gone) with a real x509 PKI from Bouncy Castle.
 * No container runs: control-plane components are flags in {@link io.epiphany.testkit.sim.SimulationState}.
 */
package io.epiphany.testkit.sim.kube;
