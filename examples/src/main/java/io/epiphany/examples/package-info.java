/** Epiphany examples module. */
package io.epiphany.examples;
