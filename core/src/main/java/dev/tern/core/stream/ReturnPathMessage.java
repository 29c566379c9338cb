package dev.tern.core.stream;

import java.util.Objects;

/** A decoded return-path message (spec §8.6). */
public sealed interface ReturnPathMessage {
    /**
     * SHUT: the destination tore down its incoming state.
     *
     * @param status 0 for success; non-zero marks the return path bad
     *     ({@link StreamFormatException#returnPathSiblingError})
     */
    record Shut(int status) implements ReturnPathMessage {
    }

    /**
     * PONG: the echo of a PING.
     *
     * @param value the PING's value
     */
    record Pong(int value) implements ReturnPathMessage {
    }

    /**
     * REQ_PAGES_ID: a page request naming its block.
     *
     * @param start the byte offset in the block
     * @param length the byte length (a whole host page), unsigned
     * @param block the block name
     */
    record ReqPagesId(long start, int length, String block) implements ReturnPathMessage {
        /** Checks for null. */
        public ReqPagesId {
            Objects.requireNonNull(block, "block");
        }
    }

    /**
     * REQ_PAGES: a page request in the block of the last REQ_PAGES_ID.
     *
     * @param start the byte offset in the block
     * @param length the byte length, unsigned
     */
    record ReqPages(long start, int length) implements ReturnPathMessage {
    }

    /**
     * RECV_BITMAP: the header of a received bitmap, which follows unframed.
     *
     * @param block the block name
     */
    record RecvBitmap(String block) implements ReturnPathMessage {
        /** Checks for null. */
        public RecvBitmap {
            Objects.requireNonNull(block, "block");
        }
    }

    /**
     * RESUME_ACK: the destination is ready to resume postcopy.
     *
     * @param value must be {@link ReturnPathDescriptor#RESUME_ACK_VALUE}, else
     *     {@link StreamFormatException#returnPathIllegalResumeAck}
     */
    record ResumeAck(int value) implements ReturnPathMessage {
    }
}
