package dev.tern.qmp.kvm;

import dev.tern.kvm.KvmGuest;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresKvm}. */
public final class KvmUsable implements ExecutionCondition {
    /** Used by JUnit. */
    public KvmUsable() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return KvmGuest.unusableReason()
                .map(reason -> ConditionEvaluationResult.disabled("no usable /dev/kvm: " + reason))
                .orElseGet(() -> ConditionEvaluationResult.enabled("/dev/kvm is usable"));
    }
}
