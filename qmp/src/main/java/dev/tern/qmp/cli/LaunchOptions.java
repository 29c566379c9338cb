package dev.tern.qmp.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The options of {@code run} and {@code demo}.
 *
 * @param qmpSocket the QMP socket ({@code run} only; required there)
 * @param incoming {@code defer}, or a URI to listen on for an incoming migration ({@code run} only)
 * @param reportDigestOnComplete whether {@code run} prints a digest of guest RAM when its
 *     incoming migration completes
 * @param guest the guest to host
 */
record LaunchOptions(Optional<Path> qmpSocket, Optional<String> incoming, boolean reportDigestOnComplete,
        GuestOptions guest) {
    /** What the launcher accepts for {@code --uuid}: QEMU's 8-4-4-4-12 hex form. */
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Options that take no value. */
    private static final Set<String> FLAGS = Set.of("--no-device-section", "--report-digest-on-complete");
    /** The options {@code demo} understands (in their canonical spelling). */
    private static final Set<String> DEMO_OPTIONS = Set.of("--ram", "--vcpus", "--workload", "--guest");

    /**
     * Parses the words after the subcommand.
     *
     * @param command {@code run} or {@code demo}: which options apply and the default RAM
     * @param args the words
     * @return the options
     * @throws IllegalArgumentException with a message for the user if the words are wrong
     */
    static LaunchOptions parse(String command, List<String> args) {
        boolean run = command.equals("run");
        Optional<Path> socket = Optional.empty();
        Optional<String> incoming = Optional.empty();
        boolean reportDigest = false;
        long ram = run ? GuestOptions.DEFAULT_RUN_RAM : GuestOptions.DEFAULT_DEMO_RAM;
        GuestOptions d = GuestOptions.defaults(ram);
        int vcpus = d.vcpus();
        WorkloadSpec workload = d.workload();
        String machine = d.machineType();
        String block = d.blockName();
        Optional<UUID> uuid = d.uuid();
        boolean deviceSection = d.deviceSection();
        // run hosts the reference guest unless told otherwise; the demo takes KVM where it can
        GuestKind kind = run ? GuestKind.REFERENCE : GuestKind.AUTO;
        boolean machineGiven = false;
        for (int i = 0; i < args.size(); i++) {
            String option = canonical(args.get(i));
            if (!run && !DEMO_OPTIONS.contains(option)) {
                throw new IllegalArgumentException(known(option) ? "option " + args.get(i) + " is for run, not demo"
                        : "unknown option " + args.get(i));
            }
            if (FLAGS.contains(option)) {
                switch (option) {
                    case "--no-device-section" -> deviceSection = false;
                    default -> reportDigest = true;
                }
                continue;
            }
            if (!known(option)) {
                throw new IllegalArgumentException("unknown option " + args.get(i));
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + args.get(i) + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--qmp" -> socket = Optional.of(unixSocket(value));
                case "--incoming" -> incoming = Optional.of(value);
                // QEMU's -m counts MiB when no unit is given
                case "--ram" -> ram = Sizes.parse(args.get(i - 1).equals("-m") && value.matches("[0-9]+") ? value + "M"
                        : value);
                case "--vcpus" -> vcpus = count(value);
                case "--workload" -> workload = WorkloadSpec.parse(value);
                case "--machine" -> {
                    machine = value;
                    machineGiven = true;
                }
                case "--guest" -> kind = GuestKind.parse(value);
                case "--block" -> block = value;
                default -> uuid = Optional.of(uuid(value));
            }
        }
        if (run && socket.isEmpty()) {
            throw new IllegalArgumentException("run needs --qmp unix:PATH");
        }
        if (kind == GuestKind.KVM && !machineGiven) {
            machine = dev.tern.kvm.KvmGuest.DEFAULT_MACHINE_TYPE;
        }
        return new LaunchOptions(socket, incoming, reportDigest,
                new GuestOptions(ram, vcpus, workload, machine, block, uuid, deviceSection, kind));
    }

    /** QEMU's spellings of the options it shares with the launcher map to the long names. */
    private static String canonical(String option) {
        return switch (option) {
            case "-qmp" -> "--qmp";
            case "-incoming" -> "--incoming";
            case "-m" -> "--ram";
            case "-smp" -> "--vcpus";
            case "-M", "-machine" -> "--machine";
            case "-uuid" -> "--uuid";
            default -> option;
        };
    }

    private static boolean known(String option) {
        return FLAGS.contains(option) || switch (option) {
            case "--qmp", "--incoming", "--ram", "--vcpus", "--workload", "--machine", "--block", "--uuid", "--guest" -> true;
            default -> false;
        };
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--vcpus takes a number, not '" + text + "'");
        }
    }

    private static UUID uuid(String text) {
        if (!UUID_TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("--uuid takes a UUID such as 12345678-9abc-def0-1234-56789abcdef0, not '"
                    + text + "'");
        }
        return UUID.fromString(text);
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
