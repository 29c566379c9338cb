package dev.tern.qmp.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * The Tern launcher.
 *
 * <pre>
 * run  --qmp unix:PATH [--incoming defer|URI] [GUEST OPTIONS] [--report-digest-on-complete]
 *      hosts one guest (the reference guest, or a KVM guest with --guest kvm) behind a QMP
 *      socket until a client sends "quit" or the process gets SIGTERM; without --incoming the
 *      guest runs from the start
 * demo [--ram SIZE] [--vcpus N] [--workload W] [--guest reference|kvm|auto]
 *      live-migrates a running guest (a KVM guest where /dev/kvm is usable, by default) from this
 *      JVM to a second one over TCP loopback and compares their RAM
 * </pre>
 *
 * Run it from the module path after {@code mvn package}:
 * {@code java -p qmp/target/lib:qmp/target/tern-qmp-0.1.0-SNAPSHOT.jar -m dev.tern.qmp/dev.tern.qmp.cli.Main demo}
 */
public final class Main {
    private static final String USAGE = """
            usage: tern run --qmp unix:PATH [--incoming defer|URI] [--ram SIZE] [--vcpus N]
                            [--workload sweep|random[:PAGES/S]|hotset[:PAGES/S]|idle] [--machine NAME]
                            [--block NAME] [--uuid UUID] [--no-device-section] [--report-digest-on-complete]
                            [--guest reference|kvm|auto]
                   tern demo [--ram SIZE] [--vcpus N] [--workload ...] [--guest reference|kvm|auto]
            SIZE is bytes or a number with K, M, G or T (binary); RAM defaults to 64M for run, 256M for demo.
            The guest is one RAM block (default pc.ram, machine tern-reference) whose vCPUs run the workload
            (default sweep); --machine none --block ram --no-device-section matches a QEMU -M none peer.
            --guest kvm hosts a real KVM guest instead (machine tern-kvm-sweep, block pc.ram): QEMU's A-B sweep
            from 1 MiB to the end of RAM on vCPUs under /dev/kvm; auto (the demo's default) takes it where
            /dev/kvm is usable and the options allow it, run's default is reference.""";

    private Main() {
    }

    /**
     * Runs a subcommand and exits with its status: 0 on success, 1 if it failed, 2 on a usage
     * error.
     *
     * @param args the subcommand and its options
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs a subcommand.
     *
     * @param args the subcommand and its options
     * @param out where normal output goes
     * @param err where errors go
     * @return the exit status: 0 on success, 1 if it failed, 2 on a usage error
     */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.getFirst();
        if (!command.equals("run") && !command.equals("demo")) {
            err.println("tern: unknown command " + command);
            err.println(USAGE);
            return 2;
        }
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(command, args.subList(1, args.size()));
        } catch (IllegalArgumentException e) {
            err.println("tern: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            return command.equals("run") ? RunCommand.run(options, out) : Demo.run(options, out);
        } catch (IllegalArgumentException e) {
            err.println("tern: " + e.getMessage());
            return 2;
        } catch (NoClassDefFoundError e) {
            // the reference guest is tern-core's: without the engine it cannot even be built
            err.println("tern: no Tern engine found: add tern-core to the class path or module path (missing "
                    + e.getMessage() + ")");
            return 1;
        } catch (Exception e) {
            // no engine on the path, socket in use, a peer that failed: say what, not a stack trace
            err.println("tern: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }
}
