package dev.tern.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmAvailableTest {
    @TempDir
    Path dir;

    @Test
    void missingDeviceSkipsWithTheReason() {
        var result = new KvmAvailable(dir.resolve("kvm")).evaluate();
        assertTrue(result.isDisabled());
        assertEquals("no usable /dev/kvm", result.getReason().orElseThrow());
    }

    @Test
    void readableWritableDeviceRuns() throws IOException {
        Path device = Files.createFile(dir.resolve("kvm"));
        assertFalse(new KvmAvailable(device).evaluate().isDisabled());
    }
}
