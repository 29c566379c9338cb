package dev.tern.qmp.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The options of {@code run} and {@code demo}.
 *
 * @param qmpSocket the QMP socket ({@code run} only)
 * @param incoming {@code defer}, or a URI to listen on for an incoming migration
 * @param ramBytes the guest's RAM
 */
record LaunchOptions(Optional<Path> qmpSocket, Optional<String> incoming, long ramBytes) {

    /**
     * Parses the words after the subcommand.
     *
     * @param args the words
     * @return the options
     * @throws IllegalArgumentException with a message for the user if the words are wrong
     */
    static LaunchOptions parse(List<String> args) {
        Optional<Path> socket = Optional.empty();
        Optional<String> incoming = Optional.empty();
        long ram = RamGuest.DEFAULT_RAM_BYTES;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--qmp", "-qmp" -> socket = Optional.of(unixSocket(value));
                case "--incoming", "-incoming" -> incoming = Optional.of(value);
                case "--ram", "-m" -> ram = Sizes.parse(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (ram <= 0 || ram % RamGuest.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("--ram must be a positive multiple of 4 KiB, not " + ram + " bytes");
        }
        return new LaunchOptions(socket, incoming, ram);
    }

    /** {@code unix:PATH}, also in QEMU's spelling {@code unix:PATH,server=on,wait=off}. */
    private static Path unixSocket(String spec) {
        if (!spec.startsWith("unix:")) {
            throw new IllegalArgumentException("--qmp takes unix:PATH, not " + spec);
        }
        String[] parts = spec.substring("unix:".length()).split(",");
        for (int i = 1; i < parts.length; i++) {
            // a listening socket that does not wait is the only thing the launcher does
            if (!List.of("server", "server=on", "wait=off", "nowait").contains(parts[i])) {
                throw new IllegalArgumentException("unsupported socket option " + parts[i] + " in " + spec);
            }
        }
        if (parts[0].isEmpty()) {
            throw new IllegalArgumentException("--qmp unix: needs a path");
        }
        return Path.of(parts[0]);
    }
}
