package io.epiphany.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class whose test methods get a SIMULATED fleet as a {@link SimulatedFleet} parameter
 * or {@link Fleet} field (described by {@link Fleet}): per method by default, per class on a static field or a
 * {@code @BeforeAll} parameter (see {@link SimulatedFleetExtension}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(SimulatedFleetExtension.class)
public @interface SimulatedFleetTest {}
