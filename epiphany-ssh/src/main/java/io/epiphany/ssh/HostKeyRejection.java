package io.epiphany.ssh;

import org.apache.sshd.common.AttributeRepository.AttributeKey;

/**
 * Why a host key was refused, kept on the session so the connect failure (which MINA reports only as "server key did
 * not validate") can say what was expected and what was presented.
 */
record HostKeyRejection(String reason, String expected, String presented) {
    static final AttributeKey<HostKeyRejection> KEY = new AttributeKey<>();

    String message() {
        return "host key refused (" + reason + "): expected " + expected + ", presented " + presented
                + ". Nothing was sent to the host. If the key change is legitimate, update the known_hosts entry "
                + "(ssh-keygen -R) or the pinned fingerprint.";
    }
}
