/** Epiphany ssh module. */
package io.epiphany.ssh;
