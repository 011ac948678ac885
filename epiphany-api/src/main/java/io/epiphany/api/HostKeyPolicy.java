package io.epiphany.api;

/** How the SSH client decides whether to trust a host's key. */
public enum HostKeyPolicy {
    /** Only keys already in the known_hosts file (or pinned per machine) are accepted. The default. */
    STRICT,
    /** Trust on first use: an unknown host's key is accepted and written to known_hosts; a changed key is refused. */
    ACCEPT_NEW,
    /** Accept any key. Insecure: only for throw-away test machines; logged loudly on every connection. */
    INSECURE_ACCEPT_ALL
}
