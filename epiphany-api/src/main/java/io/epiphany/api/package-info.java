/** The cluster model and DSL: {@link io.epiphany.api.Cluster} and its parts. */
@SdkStyle
package io.epiphany.api;
