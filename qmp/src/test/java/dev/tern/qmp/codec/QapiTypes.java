package dev.tern.qmp.codec;

import dev.tern.api.MigrationControl;
import dev.tern.api.Qapi;
import dev.tern.qmp.command.CommandArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Every record with {@code @Qapi} components in the API module and in the QMP module's own
 * command types, found by listing the compiled classes, so a record added later is tested
 * without touching the tests.
 */
final class QapiTypes {
    private QapiTypes() {
    }

    static List<Class<?>> apiRecords() {
        return recordsNextTo(MigrationControl.class);
    }

    static List<Class<?>> commandRecords() {
        return recordsNextTo(CommandArguments.class);
    }

    private static List<Class<?>> recordsNextTo(Class<?> anchor) {
        List<Class<?>> records = new ArrayList<>();
        for (String name : classNames(anchor)) {
            Class<?> c;
            try {
                c = Class.forName(name, false, anchor.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            if (c.isRecord() && Arrays.stream(c.getRecordComponents()).anyMatch(rc -> rc.isAnnotationPresent(Qapi.class))) {
                records.add(c);
            }
        }
        records.sort(Comparator.comparing(Class::getName));
        return records;
    }

    private static List<String> classNames(Class<?> anchor) {
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> names = new ArrayList<>();
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    files.filter(p -> p.toString().endsWith(".class") && !p.endsWith("module-info.class"))
                            .forEach(p -> names.add(className(location.relativize(p).toString())));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    jar.stream().map(e -> e.getName())
                            .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class"))
                            .forEach(n -> names.add(className(n)));
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    }
}
