package dev.tern.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the QAPI member a record component implements, so that a wire codec (Tern's QMP server,
 * or an embedder's own) can map Java records to QEMU's JSON without a table of its own.
 *
 * <p>{@code type} is the QAPI type as the schema spells it ({@code int64}, {@code uint64},
 * {@code size}, {@code uint32}, {@code uint8}, {@code number}, {@code bool}, {@code str},
 * {@code StrOrNull}, an enum or struct name, or a list written {@code [Element]}). It tells a
 * codec how to print a {@code long} (unsigned for {@code size}, {@code uint64} and {@code
 * uint32}) and what to accept on input.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD})
public @interface Qapi {
    /**
     * The member's QAPI name, for example {@code "dirty-pages-rate"}.
     *
     * @return the name
     */
    String name();

    /**
     * The member's QAPI type, for example {@code "size"}.
     *
     * @return the type
     */
    String type();

    /**
     * Whether the member carries the QAPI {@code unstable} feature.
     *
     * @return true for experimental members
     */
    boolean unstable() default false;
}
