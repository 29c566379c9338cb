package dev.tern.qmp.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * The Tern launcher.
 *
 * <pre>
 * run  --qmp unix:PATH [--incoming defer|URI] [--ram SIZE]
 *      hosts one VM (machine "none", SIZE of RAM, default 64M) behind a QMP socket until a
 *      client sends "quit" or the process gets SIGTERM
 * demo [--ram SIZE]
 *      shows capabilities and parameters being set, queried and rejected over QMP
 * </pre>
 *
 * Run it from the module path after {@code mvn package}:
 * {@code java -p qmp/target/lib:qmp/target/tern-qmp-0.1.0-SNAPSHOT.jar -m dev.tern.qmp/dev.tern.qmp.cli.Main demo}
 */
public final class Main {
    private static final String USAGE = """
            usage: tern run --qmp unix:PATH [--incoming defer|URI] [--ram SIZE]
                   tern demo [--ram SIZE]
            SIZE is bytes or a number with K, M, G or T (binary); default 64M.""";

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
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args.subList(1, args.size()));
        } catch (IllegalArgumentException e) {
            err.println("tern: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            return switch (args.getFirst()) {
                case "run" -> RunCommand.run(options, out);
                case "demo" -> Demo.run(options, out);
                default -> {
                    err.println("tern: unknown command " + args.getFirst());
                    err.println(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("tern: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            // no engine on the path, socket in use, ...: say what, not a stack trace
            err.println("tern: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }
}
