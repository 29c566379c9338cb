package dev.tern.core.job;

import dev.tern.api.guest.BlockDevices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/** Block nodes held in memory; every store operation is recorded in one shared log. */
final class FakeBlocks implements BlockDevices {
    private final Map<String, Optional<Store>> nodes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> operations = Collections.synchronizedList(new ArrayList<>());

    /** Adds a writable node that takes snapshots. */
    Store store(String node) {
        Store store = new Store(node, true);
        nodes.put(node, Optional.of(store));
        return store;
    }

    /** Adds a read-only node with snapshot storage. */
    Store readOnly(String node) {
        Store store = new Store(node, false);
        nodes.put(node, Optional.of(store));
        return store;
    }

    /** Adds a node without snapshot storage (a raw image). */
    FakeBlocks raw(String node) {
        nodes.put(node, Optional.empty());
        return this;
    }

    List<String> operations() {
        return List.copyOf(operations);
    }

    @Override
    public List<String> nodeNames() {
        synchronized (nodes) {
            return List.copyOf(nodes.keySet());
        }
    }

    @Override
    public Optional<SnapshotStore> snapshots(String nodeName) {
        return nodes.getOrDefault(nodeName, Optional.empty()).map(s -> s);
    }

    /** One node's snapshots: tag → VM state, empty for a disk-only snapshot. */
    final class Store implements SnapshotStore {
        private final String node;
        private final Deque<Boolean> writableAnswers = new ConcurrentLinkedDeque<>();
        private final boolean writable;
        private final Map<String, Optional<byte[]>> snapshots = new ConcurrentHashMap<>();
        private final Map<String, byte[]> written = new ConcurrentHashMap<>();
        private final Map<String, IOException> failures = new ConcurrentHashMap<>();

        private Store(String node, boolean writable) {
            this.node = node;
            this.writable = writable;
        }

        /** Makes an operation ("create", "revert", "delete", "writeVmState", "readVmState") fail. */
        Store failing(String operation, IOException error) {
            failures.put(operation, error);
            return this;
        }

        /** Answers {@link #writable()} from this list first, then with the node's flag. */
        Store writableAnswers(Boolean... answers) {
            writableAnswers.addAll(List.of(answers));
            return this;
        }

        Store with(String tag, String vmState) {
            snapshots.put(tag, Optional.of(vmState.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        Store withDiskOnly(String tag) {
            snapshots.put(tag, Optional.empty());
            return this;
        }

        boolean has(String tag) {
            return snapshots.containsKey(tag);
        }

        Optional<String> vmState(String tag) {
            return snapshots.get(tag).map(b -> new String(b, StandardCharsets.UTF_8));
        }

        private void record(String operation, String tag) throws IOException {
            operations.add(node + " " + operation + " " + tag);
            IOException failure = failures.get(operation);
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public boolean writable() {
            Boolean answer = writableAnswers.pollFirst();
            return answer != null ? answer : writable;
        }

        @Override
        public boolean exists(String tag) {
            return snapshots.containsKey(tag);
        }

        @Override
        public void create(String tag) throws IOException {
            record("create", tag);
            if (snapshots.containsKey(tag)) {
                throw new IOException("snapshot " + tag + " exists");
            }
            snapshots.put(tag, Optional.ofNullable(written.remove(tag)));
        }

        @Override
        public void revert(String tag) throws IOException {
            record("revert", tag);
        }

        @Override
        public void delete(String tag) throws IOException {
            record("delete", tag);
            snapshots.remove(tag);
        }

        @Override
        public WritableByteChannel writeVmState(String tag) throws IOException {
            record("writeVmState", tag);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            WritableByteChannel out = Channels.newChannel(bytes);
            return new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    return out.write(src);
                }

                @Override
                public boolean isOpen() {
                    return out.isOpen();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                    written.put(tag, bytes.toByteArray());
                }
            };
        }

        @Override
        public Optional<ReadableByteChannel> readVmState(String tag) throws IOException {
            record("readVmState", tag);
            Optional<byte[]> state = snapshots.getOrDefault(tag, Optional.empty());
            return state.map(b -> Channels.newChannel(new java.io.ByteArrayInputStream(b)));
        }
    }
}
