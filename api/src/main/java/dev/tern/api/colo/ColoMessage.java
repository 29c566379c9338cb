package dev.tern.api.colo;

import dev.tern.api.QapiEnum;
import java.util.Map;
import java.util.Optional;

/**
 * The message transmission between Primary side and Secondary side.
 *
 * QAPI enum {@code COLOMessage}, members in schema order (the ordinal is the QAPI wire order).
 *
 * Since QEMU 2.8.
 */
public enum ColoMessage implements QapiEnum {
    /**
     * Secondary VM (SVM) is ready for checkpointing
     */
    CHECKPOINT_READY("checkpoint-ready", false, null),

    /**
     * Primary VM (PVM) tells SVM to prepare for checkpointing
     */
    CHECKPOINT_REQUEST("checkpoint-request", false, null),

    /**
     * SVM gets PVM's checkpoint request
     */
    CHECKPOINT_REPLY("checkpoint-reply", false, null),

    /**
     * VM's state will be sent by PVM.
     */
    VMSTATE_SEND("vmstate-send", false, null),

    /**
     * The total size of VMstate.
     */
    VMSTATE_SIZE("vmstate-size", false, null),

    /**
     * VM's state has been received by SVM.
     */
    VMSTATE_RECEIVED("vmstate-received", false, null),

    /**
     * VM's state has been loaded by SVM.
     */
    VMSTATE_LOADED("vmstate-loaded", false, null);

    private static final Map<String, ColoMessage> BY_QAPI_NAME = QapiEnum.index(values());

    private final String qapiName;
    private final boolean unstable;
    private final String condition;

    ColoMessage(String qapiName, boolean unstable, String condition) {
        this.qapiName = qapiName;
        this.unstable = unstable;
        this.condition = condition;
    }

    @Override
    public String qapiName() {
        return qapiName;
    }

    @Override
    public boolean unstable() {
        return unstable;
    }

    @Override
    public Optional<String> condition() {
        return Optional.ofNullable(condition);
    }

    /**
     * Looks a member up by its QAPI name.
     *
     * @param qapiName the name as it appears on the wire, for example {@code "vmstate-loaded"}
     * @return the member
     * @throws IllegalArgumentException if no member has that name
     */
    public static ColoMessage fromQapi(String qapiName) {
        return QapiEnum.lookup(BY_QAPI_NAME, qapiName, "COLOMessage");
    }

    @Override
    public String toString() {
        return qapiName;
    }
}
