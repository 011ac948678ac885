/** Epiphany haproxy module. */
package io.epiphany.haproxy;
