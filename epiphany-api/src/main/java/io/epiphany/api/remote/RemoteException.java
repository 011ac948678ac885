package io.epiphany.api.remote;

/**
 * A host could not be reached or an operation on it failed. The message always names the host; it never contains
 * secrets.
 */
public class RemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String host;

    public RemoteException(String host, String message, Throwable cause) {
        super(host + ": " + message, cause);
        this.host = host;
    }

    public RemoteException(String host, String message) {
        this(host, message, null);
    }

    /** The machine's hostname. */
    public String host() {
        return host;
    }
}
