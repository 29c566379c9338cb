/**
 * Migration URIs ({@code migrate}, {@code migrate-incoming} and {@code migrate-recover}'s
 * {@code uri}): {@link dev.tern.transport.uri.MigrationUri#parse(String, dev.tern.api.event.Side)}
 * turns the text into one record per scheme, failing with QEMU's own error texts.
 */
package dev.tern.transport.uri;
