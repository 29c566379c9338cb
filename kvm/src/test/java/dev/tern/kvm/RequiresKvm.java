package dev.tern.kvm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs a usable {@code /dev/kvm}: tagged {@code kvm} (select or exclude
 * with {@code -Dgroups=kvm} / {@code -DexcludedGroups=kvm}) and skipped, not passed, with the
 * reason "no usable /dev/kvm" when the device is missing or not readable and writable.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("kvm")
@ExtendWith(KvmAvailable.class)
@interface RequiresKvm {
}
