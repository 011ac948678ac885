package io.epiphany.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The Immutables style of every public value of the SDK: generated {@code Immutable*} classes stay package-private,
 * builders speak the public abstract type, and collections get singular adders ({@code addMaster}).
 */
@Target({ElementType.PACKAGE, ElementType.TYPE})
@Retention(RetentionPolicy.CLASS)
@Value.Style(
        visibility = Value.Style.ImplementationVisibility.PACKAGE,
        overshadowImplementation = true,
        jdkOnly = true,
        depluralize = true,
        toBuilder = "toBuilder",
        redactedMask = "****",
        jacksonIntegration = false,
        defaults = @Value.Immutable(copy = false))
public @interface SdkStyle {}
