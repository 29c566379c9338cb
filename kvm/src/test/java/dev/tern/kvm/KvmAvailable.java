package dev.tern.kvm;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresKvm}. */
final class KvmAvailable implements ExecutionCondition {
    static final String REASON = "no usable /dev/kvm";

    private final Path device;

    /** The condition for {@code /dev/kvm}. */
    KvmAvailable() {
        this(Path.of(Kvm.DEVICE));
    }

    KvmAvailable(Path device) {
        this.device = device;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return evaluate();
    }

    ConditionEvaluationResult evaluate() {
        if (Files.exists(device) && Files.isReadable(device) && Files.isWritable(device)) {
            return ConditionEvaluationResult.enabled(device + " is readable and writable");
        }
        return ConditionEvaluationResult.disabled(REASON);
    }
}
