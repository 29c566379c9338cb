package dev.tern.core.state;

import dev.tern.api.MigrationStatus;
import dev.tern.api.event.Side;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transition tables of spec §1.4 and §1.5, typed in independently of the main code (the
 * "running → cancelling" rows spelled out), used as the oracle of the tests.
 */
final class SpecTables {
    /** One edge. */
    record Edge(Side side, MigrationStatus from, MigrationStatus to) {
        @Override
        public String toString() {
            return side + " " + from + " -> " + to;
        }
    }

    // §1.4, one "from to" pair per line.
    private static final String SOURCE = """
            none setup
            completed setup
            failed setup
            cancelled setup
            setup failed
            setup active
            setup wait-unplug
            wait-unplug active
            active pre-switchover
            pre-switchover device
            pre-switchover postcopy-active
            active completed
            device completed
            active colo
            active postcopy-active
            postcopy-active completed
            postcopy-active postcopy-paused
            postcopy-paused postcopy-recover
            postcopy-recover postcopy-active
            postcopy-recover postcopy-paused
            postcopy-active failed
            active failed
            pre-switchover failed
            device failed
            active cancelling
            postcopy-active cancelling
            postcopy-paused cancelling
            postcopy-recover cancelling
            setup cancelling
            pre-switchover cancelling
            device cancelling
            wait-unplug cancelling
            cancelling cancelling
            cancelling cancelled
            colo completed
            setup completed
            """;

    // §1.5
    private static final String DESTINATION = """
            none active
            active completed
            active failed
            active postcopy-active
            postcopy-active completed
            postcopy-active failed
            postcopy-active postcopy-paused
            postcopy-paused postcopy-recover
            postcopy-recover postcopy-active
            active colo
            colo completed
            """;

    static final List<Edge> SOURCE_EDGES = parse(Side.SOURCE, SOURCE);
    static final List<Edge> DESTINATION_EDGES = parse(Side.DESTINATION, DESTINATION);

    private SpecTables() {
    }

    static List<Edge> legalEdges() {
        List<Edge> all = new ArrayList<>(SOURCE_EDGES);
        all.addAll(DESTINATION_EDGES);
        return all;
    }

    static List<Edge> illegalEdges() {
        Set<Edge> legal = new HashSet<>(legalEdges());
        List<Edge> illegal = new ArrayList<>();
        for (Side side : Side.values()) {
            for (MigrationStatus from : MigrationStatus.values()) {
                for (MigrationStatus to : MigrationStatus.values()) {
                    Edge e = new Edge(side, from, to);
                    if (!legal.contains(e)) {
                        illegal.add(e);
                    }
                }
            }
        }
        return illegal;
    }

    /**
     * A shortest sequence of legal edges from {@code none} to {@code target} on one side, or
     * null if the side never reaches it.
     */
    static List<Edge> pathTo(Side side, MigrationStatus target) {
        List<Edge> edges = side == Side.SOURCE ? SOURCE_EDGES : DESTINATION_EDGES;
        Map<MigrationStatus, Edge> cameBy = new EnumMap<>(MigrationStatus.class);
        Set<MigrationStatus> seen = new LinkedHashSet<>(List.of(MigrationStatus.NONE));
        Deque<MigrationStatus> queue = new ArrayDeque<>(List.of(MigrationStatus.NONE));
        while (!queue.isEmpty()) {
            MigrationStatus s = queue.poll();
            for (Edge e : edges) {
                if (e.from() == s && seen.add(e.to())) {
                    cameBy.put(e.to(), e);
                    queue.add(e.to());
                }
            }
        }
        if (!seen.contains(target)) {
            return null;
        }
        List<Edge> path = new ArrayList<>();
        for (MigrationStatus s = target; s != MigrationStatus.NONE; s = cameBy.get(s).from()) {
            path.addFirst(cameBy.get(s));
        }
        return path;
    }

    /** A cell of {@code side} driven along legal edges to {@code target}. */
    static StatusCell cellAt(Side side, MigrationStatus target, EventHub hub) {
        StatusCell cell = new StatusCell(side, hub);
        List<Edge> path = pathTo(side, target);
        if (path == null) {
            throw new IllegalArgumentException(side + " never reaches " + target);
        }
        for (Edge e : path) {
            if (!cell.compareAndSet(e.from(), e.to())) {
                throw new AssertionError("could not drive " + e);
            }
        }
        return cell;
    }

    private static List<Edge> parse(Side side, String table) {
        List<Edge> edges = new ArrayList<>();
        for (String line : table.strip().split("\n")) {
            String[] p = line.strip().split(" ");
            edges.add(new Edge(side, MigrationStatus.fromQapi(p[0]), MigrationStatus.fromQapi(p[1])));
        }
        return List.copyOf(edges);
    }
}
