package io.engram.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that uses the shared PostgreSQL and Temporal servers. Inside it, call {@link
 * EngramServicesExtension#postgres()} or {@link EngramServicesExtension#temporal()}; each server
 * starts on first use and stops when the test run ends.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EngramServicesExtension.class)
public @interface EngramServices {}
