package dev.tern.core.dirtyrate;

/** Looks for live threads by name. */
final class Threads {
    private Threads() {
    }

    static long alive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive())
                .count();
    }
}
