/** Epiphany kubeadm module. */
package io.epiphany.kubeadm;
