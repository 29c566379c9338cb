package dev.tern.core.interop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects the messages one class logs through {@link System.Logger} (backed by
 * java.util.logging in the test JVM), formatted with their parameters. Close it to detach.
 */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private static final SimpleFormatter FORMATTER = new SimpleFormatter();

    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Starts capturing.
     *
     * @param source the class whose logger to listen to
     */
    LogCapture(Class<?> source) {
        // Held in a field: java.util.logging keeps loggers only weakly, and a collected logger loses its handler.
        this.logger = Logger.getLogger(source.getName());
        logger.addHandler(handler);
    }

    /**
     * The messages so far, oldest first.
     *
     * @return the formatted messages
     */
    List<String> messages() {
        return records.stream().map(FORMATTER::formatMessage).toList();
    }

    /**
     * The messages logged at WARNING or above, oldest first.
     *
     * @return the formatted messages
     */
    List<String> warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(FORMATTER::formatMessage).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
