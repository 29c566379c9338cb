package dev.tern.qmp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.api.MigrationControl;
import dev.tern.qmp.QmpDispatcher;
import dev.tern.qmp.QmpSession;
import java.io.IOException;

/** A VM in this process driven through the same QMP dispatcher {@code run} serves on its socket. */
final class SessionQmp implements QmpPeer {
    private final String name;
    private final QmpSession session;

    private SessionQmp(String name, QmpSession session) {
        this.name = name;
        this.session = session;
    }

    /**
     * A negotiated session on a VM.
     *
     * @param name the VM's name in messages
     * @param vm the VM
     * @return the session, ready for commands
     * @throws IOException if negotiation fails (it does not on a fresh session)
     */
    static SessionQmp open(String name, MigrationControl vm) throws IOException {
        SessionQmp peer = new SessionQmp(name, new QmpDispatcher(vm).newSession());
        peer.execute("qmp_capabilities");
        return peer;
    }

    @Override
    public JsonNode execute(String command, ObjectNode arguments) throws IOException {
        return QmpPeer.result(name, command, session.execute(QmpPeer.request(command, arguments)));
    }

    @Override
    public String name() {
        return name;
    }

    /** Nothing to release: the session is an object. */
    @Override
    public void close() {
    }
}
