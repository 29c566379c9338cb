package dev.tern.qmp.command;

import dev.tern.api.QapiEnum;
import java.util.Optional;

/** QAPI enum {@code QMPCapability}: what a client may enable in {@code qmp_capabilities}. */
public enum QmpCapability implements QapiEnum {
    /** {@code oob}: commands may be sent with {@code exec-oob} and run out of band. */
    OOB("oob");

    private final String qapiName;

    QmpCapability(String qapiName) {
        this.qapiName = qapiName;
    }

    @Override
    public String qapiName() {
        return qapiName;
    }

    @Override
    public boolean unstable() {
        return false;
    }

    @Override
    public Optional<String> condition() {
        return Optional.empty();
    }
}
