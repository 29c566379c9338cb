package dev.tern.core.parameter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.api.BitmapMigrationBitmapAlias;
import dev.tern.api.BitmapMigrationBitmapAliasTransform;
import dev.tern.api.BitmapMigrationNodeAlias;
import dev.tern.api.ParameterException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BitmapMappingRulesTest {
    private static final String PREFIX = "Invalid mapping given for block-bitmap-mapping: ";

    private static BitmapMigrationNodeAlias node(String name, String alias, BitmapMigrationBitmapAlias... bitmaps) {
        return new BitmapMigrationNodeAlias(name, alias, List.of(bitmaps));
    }

    private static BitmapMigrationBitmapAlias bitmap(String name, String alias) {
        return new BitmapMigrationBitmapAlias(name, alias, Optional.empty());
    }

    private static void assertRejected(String reason, BitmapMigrationNodeAlias... nodes) {
        ParameterException e = assertThrows(ParameterException.class, () -> BitmapMappingRules.check(List.of(nodes)));
        assertEquals(PREFIX + reason, e.getMessage());
    }

    private static void assertAccepted(BitmapMigrationNodeAlias... nodes) {
        BitmapMappingRules.check(List.of(nodes));
    }

    @Test
    void emptyMappingIsValid() {
        assertAccepted();
    }

    @Test
    void oneToOneMappingIsValid() {
        BitmapMigrationBitmapAlias persistent = new BitmapMigrationBitmapAlias("b2", "x2",
                Optional.of(BitmapMigrationBitmapAliasTransform.builder().persistent(true).build()));
        assertAccepted(node("node0", "disk0", bitmap("b0", "x0"), bitmap("b1", "x1")),
                node("node1", "disk1", bitmap("b0", "x0"), persistent), node("node2", "disk2"));
    }

    // ---- node alias well-formedness -------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "0disk", "-disk", "_disk", ".disk", "disk 0", "disk/0", "disk:0", "dïsk", "é", "disk#"})
    void malformedNodeAliasIsRefused(String alias) {
        assertRejected("The node alias '" + alias + "' is not well-formed", node("node0", alias));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "disk0", "A-b.c_d9", "x--..__"})
    void wellFormedNodeAliasIsAccepted(String alias) {
        assertAccepted(node("node0", alias));
    }

    @Test
    void bitmapAliasNeedNotBeWellFormed() {
        assertAccepted(node("node0", "disk0", bitmap("b0", "0 weird/alias é")));
    }

    @Test
    void nodeNameNeedNotBeWellFormed() {
        assertAccepted(node("#block123", "disk0"));
    }

    // ---- lengths -----------------------------------------------------------------------------

    @Test
    void nodeAliasUpTo255Bytes() {
        assertAccepted(node("node0", "a".repeat(255)));
        String tooLong = "a".repeat(256);
        assertRejected("The node alias '" + tooLong + "' is longer than 255 bytes", node("node0", tooLong));
    }

    @Test
    void wellFormednessIsCheckedBeforeLength() {
        String tooLongAndMalformed = "0".repeat(300);
        assertRejected("The node alias '" + tooLongAndMalformed + "' is not well-formed", node("node0", tooLongAndMalformed));
    }

    @Test
    void nodeNameUpTo31Bytes() {
        assertAccepted(node("n".repeat(31), "disk0"));
        String tooLong = "n".repeat(32);
        assertRejected("The node name '" + tooLong + "' is longer than 31 bytes", node(tooLong, "disk0"));
    }

    @Test
    void nodeNameIsMeasuredInUtf8Bytes() {
        assertAccepted(node("é".repeat(15) + "n", "disk0"));
        String sixteenChars32Bytes = "é".repeat(16);
        assertRejected("The node name '" + sixteenChars32Bytes + "' is longer than 31 bytes",
                node(sixteenChars32Bytes, "disk0"));
    }

    @Test
    void aliasLengthIsCheckedBeforeNodeName() {
        String alias = "a".repeat(256);
        assertRejected("The node alias '" + alias + "' is longer than 255 bytes", node("n".repeat(32), alias));
    }

    @Test
    void bitmapAliasUpTo255Bytes() {
        assertAccepted(node("node0", "disk0", bitmap("b0", "x".repeat(255))));
        String tooLong = "x".repeat(256);
        assertRejected("The bitmap alias '" + tooLong + "' is longer than 255 bytes",
                node("node0", "disk0", bitmap("b0", tooLong)));
    }

    @Test
    void bitmapAliasIsMeasuredInUtf8Bytes() {
        assertAccepted(node("node0", "disk0", bitmap("b0", "é".repeat(127) + "x")));
        String tooLong = "é".repeat(128);
        assertRejected("The bitmap alias '" + tooLong + "' is longer than 255 bytes",
                node("node0", "disk0", bitmap("b0", tooLong)));
    }

    @Test
    void bitmapNameUpTo1023Bytes() {
        assertAccepted(node("node0", "disk0", bitmap("b".repeat(1023), "x0")));
        String tooLong = "b".repeat(1024);
        assertRejected("The bitmap name '" + tooLong + "' is longer than 1023 bytes",
                node("node0", "disk0", bitmap(tooLong, "x0")));
    }

    @Test
    void bitmapAliasLengthIsCheckedBeforeBitmapName() {
        String alias = "x".repeat(256);
        assertRejected("The bitmap alias '" + alias + "' is longer than 255 bytes",
                node("node0", "disk0", bitmap("b".repeat(1024), alias)));
    }

    // ---- duplicates --------------------------------------------------------------------------

    @Test
    void nodeNameMappedTwice() {
        assertRejected("The node name 'node0' is mapped twice", node("node0", "disk0"), node("node0", "disk1"));
    }

    @Test
    void nodeAliasUsedTwice() {
        assertRejected("The node alias 'disk0' is used twice", node("node0", "disk0"), node("node1", "disk0"));
    }

    @Test
    void bitmapMappedTwiceOnOneNode() {
        assertRejected("The bitmap 'node0'/'b0' is mapped twice",
                node("node0", "disk0", bitmap("b0", "x0"), bitmap("b0", "x1")));
    }

    @Test
    void bitmapAliasUsedTwiceOnOneNode() {
        assertRejected("The bitmap alias 'disk0'/'x0' is used twice",
                node("node0", "disk0", bitmap("b0", "x0"), bitmap("b1", "x0")));
    }

    @Test
    void sameBitmapNamesAndAliasesOnDifferentNodesAreFine() {
        assertAccepted(node("node0", "disk0", bitmap("b0", "x0")), node("node1", "disk1", bitmap("b0", "x0")));
    }

    @Test
    void nodeNameEqualToAnotherNodesAliasIsFine() {
        assertAccepted(node("a", "b"), node("b", "a"));
    }

    @Test
    void bitmapNameEqualToAnotherBitmapsAliasIsFine() {
        assertAccepted(node("node0", "disk0", bitmap("b0", "b1"), bitmap("b1", "b0")));
    }

    @Test
    void nameDuplicatesAreReportedBeforeAliasDuplicates() {
        // The first pass (name to alias) finds the duplicate bitmap name on node1 although the
        // duplicate node alias comes earlier in the list: the alias pass runs second.
        assertRejected("The bitmap 'node1'/'b0' is mapped twice",
                node("node0", "dup"), node("node1", "dup", bitmap("b0", "x0"), bitmap("b0", "x1")));
        assertRejected("The node name 'node0' is mapped twice",
                node("node0", "disk0", bitmap("b0", "x0"), bitmap("b1", "x0")), node("node0", "disk1"));
    }

    @Test
    void lengthErrorsLaterInTheListBeatEarlierAliasDuplicates() {
        String longName = "b".repeat(1024);
        assertRejected("The bitmap name '" + longName + "' is longer than 1023 bytes",
                node("node0", "dup"), node("node1", "dup"), node("node2", "disk2", bitmap(longName, "x")));
    }

    @Test
    void withinAPassTheFirstErrorInListOrderWins() {
        BitmapMigrationNodeAlias duplicateBitmap = node("node0", "disk0", bitmap("b0", "x0"), bitmap("b0", "x1"));
        BitmapMigrationNodeAlias malformedAlias = node("node1", "1bad");
        assertRejected("The bitmap 'node0'/'b0' is mapped twice", duplicateBitmap, malformedAlias);
        assertRejected("The node alias '1bad' is not well-formed", malformedAlias, duplicateBitmap);
    }

    // ---- id_wellformed -----------------------------------------------------------------------

    @Test
    void wellFormedIdFollowsQemu() {
        assertTrue(dev.tern.core.vm.QemuId.wellFormed("a"));
        assertTrue(dev.tern.core.vm.QemuId.wellFormed("a1-._"));
        assertFalse(dev.tern.core.vm.QemuId.wellFormed(""));
        assertFalse(dev.tern.core.vm.QemuId.wellFormed("1"));
        assertFalse(dev.tern.core.vm.QemuId.wellFormed("a\u0660"));
        assertFalse(dev.tern.core.vm.QemuId.wellFormed("\u00c4"));
    }
}
