/** Epiphany testkit module. */
package io.epiphany.testkit;
