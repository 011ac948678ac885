/**
 * The contract between the SDK and a machine: run a command, put a file, read a file. {@code epiphany-ssh}
 * implements it over SSH; nothing else in the SDK reaches a host. No transport types appear here.
 */
package io.epiphany.api.remote;
