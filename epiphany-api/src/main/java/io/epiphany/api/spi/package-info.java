/** Service-provider interfaces the API finds implementations through; not for users. */
package io.epiphany.api.spi;
