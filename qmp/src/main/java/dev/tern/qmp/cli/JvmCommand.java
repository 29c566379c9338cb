package dev.tern.qmp.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line that starts another JVM like this one running {@link Main}: the same
 * {@code java} binary, the same module path or class path, and the same JVM flags that matter
 * to Tern (module access, native access, heap and assertions), so the second JVM needs nothing
 * the first did not.
 *
 * @param java the {@code java} binary
 * @param flags the JVM flags to repeat
 * @param launch the words that select the code: {@code -p PATH -m MODULE/CLASS} or {@code -cp PATH CLASS}
 */
record JvmCommand(Path java, List<String> flags, List<String> launch) {
    /**
     * Flags that change what code may do or how it is checked, repeated when given alone or with
     * a value after {@code =} or {@code :}.
     */
    private static final List<String> NAMED_FLAGS = List.of("--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--enable-native-access", "--illegal-native-access", "--sun-misc-unsafe-memory-access",
            "-XX:MaxDirectMemorySize", "-ea", "-enableassertions", "-esa", "-da");
    /** Memory flags whose value follows without a separator ({@code -Xmx2g}). */
    private static final List<String> SIZE_FLAGS = List.of("-Xmx", "-Xms", "-Xss");
    /** Flags given as two words (the JVM usually reports them joined with '='). */
    private static final List<String> TWO_WORD_FLAGS = List.of("--add-opens", "--add-exports", "--add-reads",
            "--add-modules");

    /**
     * This JVM's command line for {@link Main}.
     *
     * @return the command
     */
    static JvmCommand current() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> flags = repeated(ManagementFactory.getRuntimeMXBean().getInputArguments());
        Optional<String> modulePath = Optional.ofNullable(System.getProperty("jdk.module.path"));
        List<String> launch = Main.class.getModule().isNamed() && modulePath.isPresent()
                ? List.of("-p", modulePath.get(), "-m", Main.class.getModule().getName() + "/" + Main.class.getName())
                : List.of("-cp", System.getProperty("java.class.path"), Main.class.getName());
        return new JvmCommand(java, flags, launch);
    }

    /**
     * Picks the flags a second JVM needs from this one's input arguments.
     *
     * @param inputArguments the arguments, as {@code RuntimeMXBean.getInputArguments()} lists them
     * @return the flags to repeat, in order
     */
    static List<String> repeated(List<String> inputArguments) {
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < inputArguments.size(); i++) {
            String argument = inputArguments.get(i);
            if (TWO_WORD_FLAGS.contains(argument)) {
                if (i + 1 < inputArguments.size()) {
                    flags.add(argument + "=" + inputArguments.get(++i));
                }
            } else if (NAMED_FLAGS.stream().anyMatch(f -> argument.equals(f) || argument.startsWith(f + "=")
                    || argument.startsWith(f + ":")) || SIZE_FLAGS.stream().anyMatch(argument::startsWith)) {
                flags.add(argument);
            }
        }
        return flags;
    }

    /**
     * The full command for a {@link Main} subcommand.
     *
     * @param mainArguments the subcommand and its options
     * @return the words to start
     */
    List<String> command(List<String> mainArguments) {
        List<String> words = new ArrayList<>();
        words.add(java.toString());
        words.addAll(flags);
        words.addAll(launch);
        words.addAll(mainArguments);
        return words;
    }
}
