/**
 * The kubeadm engine: {@link io.epiphany.kubeadm.KubeadmEngine} (found by {@link java.util.ServiceLoader}) and the
 * discovery hash {@link io.epiphany.kubeadm.CaCertHash}. The renderers are in {@code io.epiphany.kubeadm.render}.
 */
package io.epiphany.kubeadm;
