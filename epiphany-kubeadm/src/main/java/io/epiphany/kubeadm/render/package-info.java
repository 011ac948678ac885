/**
 * Pure renderers from the model to the files the SDK puts on hosts: kubeadm's Init/Join configurations
 * ({@link io.epiphany.kubeadm.render.InitConfig}, {@link io.epiphany.kubeadm.render.JoinConfig}), the
 * EncryptionConfiguration, the audit policy, and {@link io.epiphany.kubeadm.render.HostFiles}, which assembles every
 * host's files. Secrets and host facts come in through {@link io.epiphany.kubeadm.render.RenderContext}.
 */
package io.epiphany.kubeadm.render;
