package dev.tern.qmp;

import dev.tern.qmp.command.CommandReplies.VersionInfo;
import dev.tern.qmp.command.CommandReplies.VersionTriple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What Tern reports as its version: QEMU 7.2.0, whose behaviour it reproduces, and
 * {@code tern-VERSION} as the package, VERSION coming from the build.
 */
final class QmpVersion {
    private static final VersionInfo INFO = new VersionInfo(new VersionTriple(7, 2, 0), "tern-" + ternVersion());

    private QmpVersion() {
    }

    static VersionInfo info() {
        return INFO;
    }

    private static String ternVersion() {
        try (InputStream in = QmpVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
