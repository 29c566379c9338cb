package dev.tern.api.event;

/** Which end of a migration a status belongs to. */
public enum Side {
    /** The outgoing side ({@code migrate}). */
    SOURCE,
    /** The incoming side ({@code migrate-incoming}). */
    DESTINATION
}
