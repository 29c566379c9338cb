package dev.tern.qmp.kvm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs a usable {@code /dev/kvm}: tagged {@code kvm} and skipped, with the
 * reason {@code KvmGuest.unusableReason()} gives, where the device cannot be opened.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("kvm")
@ExtendWith(KvmUsable.class)
public @interface RequiresKvm {
}
