package dev.tern.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.MigrationCapability;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConfigurationTest {
    private static final UUID U1 = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final UUID U2 = UUID.fromString("aaaaaaaa-2222-3333-4444-555555555555");
    private static final Set<MigrationCapability> IGNORE = Set.of(MigrationCapability.X_IGNORE_SHARED);

    private static ReceivedConfiguration roundTrip(Configuration c) throws IOException {
        return ConfigurationCodec.read(Streams.reader(Streams.bytes(w -> ConfigurationCodec.write(w, c))));
    }

    @Test
    void plainConfigurationIsQemusBytes() throws IOException {
        Configuration c = Configuration.outgoing("none", Set.of(MigrationCapability.EVENTS), Optional.of(U1));
        assertArrayEquals(Streams.hex("07 00000004 6e6f6e65"), Streams.bytes(w -> ConfigurationCodec.write(w, c)));
        ReceivedConfiguration r = roundTrip(c);
        assertEquals(new ReceivedConfiguration("none", false, OptionalInt.empty(), Optional.empty(), Optional.empty()), r);
        assertEquals(List.of(), ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.of(U2))));
    }

    @Test
    void subsectionsRoundTrip() throws IOException {
        Configuration c = new Configuration("pc-q35-7.2", 16,
                Set.of(MigrationCapability.X_IGNORE_SHARED, MigrationCapability.VALIDATE_UUID), Optional.of(U1));
        assertEquals(IGNORE, c.capabilities(), "only validated capabilities are kept");
        byte[] b = Streams.bytes(w -> ConfigurationCodec.write(w, c));
        byte[] expectedCaps = Streams.hex("05 1a " + hexOf("configuration/capabilities") + " 00000001 00000001 0f "
                + hexOf("x-ignore-shared"));
        assertTrue(indexOf(b, expectedCaps) > 0, "capabilities subsection as QEMU writes it");
        ReceivedConfiguration r = roundTrip(c);
        assertEquals("pc-q35-7.2", r.machineType());
        assertEquals(OptionalInt.of(16), r.targetPageBits());
        assertEquals(Optional.of(IGNORE), r.capabilities());
        assertEquals(Optional.of(U1), r.uuid());
    }

    @Test
    void uuidIsSentOnlyWithValidateUuid() throws IOException {
        assertEquals(Optional.empty(), roundTrip(Configuration.outgoing("none", Set.of(), Optional.of(U1))).uuid());
        assertEquals(Optional.of(U1), roundTrip(Configuration.outgoing("none",
                Set.of(MigrationCapability.VALIDATE_UUID), Optional.of(U1))).uuid());
        assertEquals(Optional.empty(), roundTrip(Configuration.outgoing("none",
                Set.of(MigrationCapability.VALIDATE_UUID), Optional.empty())).uuid());
        byte[] raw = Streams.bytes(w -> ConfigurationCodec.write(w,
                Configuration.outgoing("none", Set.of(MigrationCapability.VALIDATE_UUID), Optional.of(U1))));
        assertTrue(indexOf(raw, Streams.hex("11111111 2222 3333 4444 555555555555")) > 0, "RFC 4122 byte order");
    }

    @Test
    void configurationByteMissing() {
        assertEquals("Configuration section missing", assertThrows(StreamFormatException.class,
                () -> ConfigurationCodec.read(Streams.reader(Streams.hex("01 00000004 6e6f6e65")))).getMessage());
    }

    @Test
    void machineTypeIsComparedOverTheReceivedLengthOnly() throws IOException {
        Configuration local = Configuration.local("none", Set.of(), Optional.empty());
        // A received prefix of the local name passes (QEMU's strncmp quirk).
        ConfigurationCheck.check(roundTrip(Configuration.outgoing("no", Set.of(), Optional.empty())), local);
        ConfigurationCheck.check(roundTrip(Configuration.outgoing("", Set.of(), Optional.empty())), local);
        assertEquals("Machine type received is 'nonex' and local is 'none'", assertThrows(StreamFormatException.class,
                () -> ConfigurationCheck.check(roundTrip(Configuration.outgoing("nonex", Set.of(), Optional.empty())),
                        local)).getMessage());
        assertEquals("Machine type received is 'pc' and local is 'none'", assertThrows(StreamFormatException.class,
                () -> ConfigurationCheck.check(roundTrip(Configuration.outgoing("pc", Set.of(), Optional.empty())),
                        local)).getMessage());
    }

    @Test
    void nulInsideTheReceivedNameEndsTheComparison() throws IOException {
        Configuration local = Configuration.local("none", Set.of(), Optional.empty());
        ReceivedConfiguration equalThenNul = ConfigurationCodec.read(Streams.reader(Streams.hex("07 00000006 6e6f6e65 0078")));
        assertTrue(equalThenNul.machineTypeTerminated());
        ConfigurationCheck.check(equalThenNul, local);
        ReceivedConfiguration prefixThenNul = ConfigurationCodec.read(Streams.reader(Streams.hex("07 00000004 6e6f 0000")));
        assertEquals("Machine type received is 'no' and local is 'none'", assertThrows(StreamFormatException.class,
                () -> ConfigurationCheck.check(prefixThenNul, local)).getMessage());
    }

    @Test
    void longMachineTypeIsSkippedBeyondWhatIsKept() throws IOException {
        byte[] b = Streams.bytes(w -> {
            w.put8(7);
            w.put32(10_000);
            w.putBytes(new byte[10_000]);
            w.put8(0x42);
        });
        StreamReader in = Streams.reader(b, 333);
        ReceivedConfiguration r = ConfigurationCodec.read(in);
        assertEquals("", r.machineType());
        assertEquals(0x42, in.get8(), "the whole name was consumed");
    }

    @Test
    void targetPageBitsMustMatch() throws IOException {
        ReceivedConfiguration r = roundTrip(new Configuration("none", 13, Set.of(), Optional.empty()));
        assertEquals("Received TARGET_PAGE_BITS is 13 but local is 12", assertThrows(StreamFormatException.class,
                () -> ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.empty())))
                .getMessage());
        assertFalse(indexOf(Streams.bytes(w -> ConfigurationCodec.write(w, Configuration.local("none", Set.of(),
                Optional.empty()))), "target-page-bits".getBytes()) > 0, "not sent at the x86 minimum");
    }

    @Test
    void validatedCapabilitiesMustBeEqual() throws IOException {
        ReceivedConfiguration withIgnore = roundTrip(Configuration.outgoing("none", IGNORE, Optional.empty()));
        ReceivedConfiguration without = roundTrip(Configuration.outgoing("none", Set.of(), Optional.empty()));
        Configuration localWith = Configuration.local("none", IGNORE, Optional.empty());
        Configuration localWithout = Configuration.local("none", Set.of(MigrationCapability.XBZRLE), Optional.empty());
        ConfigurationCheck.check(withIgnore, localWith);
        ConfigurationCheck.check(without, localWithout);
        assertEquals("Capability x-ignore-shared is off, but received capability is on",
                assertThrows(StreamFormatException.class, () -> ConfigurationCheck.check(withIgnore, localWithout))
                        .getMessage());
        assertEquals("Capability x-ignore-shared is on, but received capability is off",
                assertThrows(StreamFormatException.class, () -> ConfigurationCheck.check(without, localWith))
                        .getMessage());
    }

    @Test
    void unknownCapabilityName() {
        byte[] b = Streams.bytes(w -> {
            w.put8(7);
            w.put32(4);
            w.putBytes("none".getBytes());
            VmStateSubsections.writeHeader(w, "configuration/capabilities", 1);
            w.put32(2);
            w.putCountedString("xbzrle");
            w.putCountedString("x-warp-drive");
        });
        assertEquals("Received unknown capability x-warp-drive", assertThrows(StreamFormatException.class,
                () -> ConfigurationCodec.read(Streams.reader(b))).getMessage());
    }

    @Test
    void nonValidatedReceivedCapabilitiesAreIgnored() throws IOException {
        byte[] b = Streams.bytes(w -> {
            w.put8(7);
            w.put32(4);
            w.putBytes("none".getBytes());
            VmStateSubsections.writeHeader(w, "configuration/capabilities", 1);
            w.put32(1);
            w.putCountedString("xbzrle");
        });
        ReceivedConfiguration r = ConfigurationCodec.read(Streams.reader(b));
        assertEquals(Optional.of(Set.of(MigrationCapability.XBZRLE)), r.capabilities());
        ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.empty()));
    }

    @Test
    void uuidChecks() throws IOException {
        ReceivedConfiguration r = roundTrip(Configuration.outgoing("none", Set.of(MigrationCapability.VALIDATE_UUID),
                Optional.of(U1)));
        ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.of(U1)));
        assertEquals(List.of("UUID is received 11111111-2222-3333-4444-555555555555, but local uuid isn't set"),
                ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.empty())));
        assertEquals("UUID received is 11111111-2222-3333-4444-555555555555 and local is"
                + " aaaaaaaa-2222-3333-4444-555555555555", assertThrows(StreamFormatException.class,
                        () -> ConfigurationCheck.check(r, Configuration.local("none", Set.of(), Optional.of(U2))))
                        .getMessage());
        // The uuid subsection's check runs before the machine type check, as in QEMU.
        assertTrue(assertThrows(StreamFormatException.class, () -> ConfigurationCheck.check(r,
                Configuration.local("pc", Set.of(), Optional.of(U2)))).getMessage().startsWith("UUID received"));
    }

    @Test
    void unknownSubsectionUnderThePrefixFails() {
        byte[] b = Streams.bytes(w -> {
            w.put8(7);
            w.put32(4);
            w.putBytes("none".getBytes());
            VmStateSubsections.writeHeader(w, "configuration/flux", 1);
        });
        assertEquals("Unknown subsection 'configuration/flux' in vmstate 'configuration'",
                assertThrows(StreamFormatException.class, () -> ConfigurationCodec.read(Streams.reader(b))).getMessage());
    }

    @Test
    void subsectionOfAnotherPrefixOrTooShortIsLeftAlone() throws IOException {
        for (String name : List.of("timer/icount", "configuration")) {
            byte[] b = Streams.bytes(w -> {
                w.put8(7);
                w.put32(4);
                w.putBytes("none".getBytes());
                VmStateSubsections.writeHeader(w, name, 1);
            });
            StreamReader in = Streams.reader(b);
            assertEquals("none", ConfigurationCodec.read(in).machineType());
            assertEquals(5, in.get8(), "the 0x05 is left for the record loop");
        }
    }

    @Test
    void subsectionVersions() throws IOException {
        for (int[] v : new int[][] {{2, 0}, {0, 1}, {0x101, 2}}) {
            byte[] b = Streams.bytes(w -> {
                w.put8(7);
                w.put32(4);
                w.putBytes("none".getBytes());
                VmStateSubsections.writeHeader(w, "configuration/uuid", v[0]);
                w.putBytes(new byte[16]);
            });
            switch (v[1]) {
                case 0 -> assertEquals("configuration/uuid: incoming version_id 2 is too new for local version_id 1",
                        assertThrows(StreamFormatException.class, () -> ConfigurationCodec.read(Streams.reader(b)))
                                .getMessage());
                case 1 -> assertEquals(
                        "configuration/uuid: incoming version_id 0 is too old for local minimum version_id  1",
                        assertThrows(StreamFormatException.class, () -> ConfigurationCodec.read(Streams.reader(b)))
                                .getMessage());
                default -> assertEquals(Optional.of(new UUID(0, 0)), ConfigurationCodec.read(Streams.reader(b)).uuid(),
                        "only the low byte of the version counts");
            }
        }
    }

    static String hexOf(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
