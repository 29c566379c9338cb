package dev.tern.transport.uri;

import dev.tern.api.event.Side;
import java.util.Objects;

/**
 * A migration URI whose scheme is none of {@code tcp:}, {@code unix:}, {@code vsock:},
 * {@code fd:}, {@code exec:}, {@code rdma:} and {@code file:}. QEMU words this differently
 * per command, and so does this exception, by the {@link Side} it was raised for:
 * <ul>
 *   <li>{@code migrate} (source): {@code Parameter 'uri' expects a valid migration protocol};
 *       the caller also moves the migration from {@code setup} to {@code failed};</li>
 *   <li>{@code migrate-incoming} and {@code -incoming} (destination):
 *       {@code unknown migration protocol: <uri>}.</li>
 * </ul>
 */
public final class UnknownMigrationProtocolException extends InvalidMigrationUriException {
    private static final long serialVersionUID = 1L;

    /** The URI as the client wrote it. */
    private final String uri;
    /** The command's side, which words the message. */
    private final Side side;

    private UnknownMigrationProtocolException(String uri, Side side, String message) {
        super(message);
        this.uri = uri;
        this.side = side;
    }

    /**
     * The error for {@code migrate}: QEMU's {@code QERR_INVALID_PARAMETER_VALUE} for {@code uri}.
     *
     * @param uri the rejected URI
     * @return {@code Parameter 'uri' expects a valid migration protocol}
     */
    public static UnknownMigrationProtocolException outgoing(String uri) {
        return new UnknownMigrationProtocolException(Objects.requireNonNull(uri, "uri"), Side.SOURCE,
                "Parameter 'uri' expects a valid migration protocol");
    }

    /**
     * The error for {@code migrate-incoming}: QEMU's {@code qemu_start_incoming_migration} text.
     *
     * @param uri the rejected URI
     * @return {@code unknown migration protocol: <uri>}
     */
    public static UnknownMigrationProtocolException incoming(String uri) {
        return new UnknownMigrationProtocolException(Objects.requireNonNull(uri, "uri"), Side.DESTINATION,
                "unknown migration protocol: " + uri);
    }

    /**
     * The same error worded for {@code side}.
     *
     * @param side the command's side
     * @return this exception if it already has that side, else a new one
     */
    public UnknownMigrationProtocolException forSide(Side side) {
        Objects.requireNonNull(side, "side");
        if (side == this.side) {
            return this;
        }
        return side == Side.SOURCE ? outgoing(uri) : incoming(uri);
    }

    /**
     * The URI that was rejected, as given.
     *
     * @return the URI
     */
    public String uri() {
        return uri;
    }

    /**
     * The command the message is worded for.
     *
     * @return {@link Side#SOURCE} for {@code migrate}, {@link Side#DESTINATION} for
     *     {@code migrate-incoming}
     */
    public Side side() {
        return side;
    }
}
