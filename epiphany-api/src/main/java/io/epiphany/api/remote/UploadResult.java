package io.epiphany.api.remote;

/** Whether an upload changed the host. */
public enum UploadResult {
    /** The file was written (it was missing or its content, mode or owner differed). */
    WRITTEN,
    /** The host already had the same content (same SHA-256), mode and owner: nothing was written. */
    UNCHANGED
}
