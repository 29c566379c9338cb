package dev.tern.core;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The JVM flags the engine cannot run without, checked at start so that a missing one fails
 * with a message naming it instead of an {@code IllegalAccessError} deep inside a migration.
 */
final class JvmRequirements {
    static final String AGRONA_FLAG_CLASS_PATH = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String AGRONA_FLAG_MODULE_PATH = "--add-opens java.base/jdk.internal.misc=org.agrona";

    private JvmRequirements() {
    }

    /**
     * Fails unless Agrona may use {@code jdk.internal.misc.Unsafe}.
     *
     * @throws IllegalStateException naming the JVM flag to add
     */
    static void check() {
        Module agrona = UnsafeBuffer.class.getModule();
        if (!Object.class.getModule().isOpen("jdk.internal.misc", agrona)) {
            String flag = agrona.isNamed() ? AGRONA_FLAG_MODULE_PATH : AGRONA_FLAG_CLASS_PATH;
            throw new IllegalStateException("Tern's engine uses Agrona, which needs the JVM flag " + flag
                    + " (add it to the java command line; ./tern passes it for you)");
        }
    }
}
