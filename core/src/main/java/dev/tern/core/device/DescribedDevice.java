package dev.tern.core.device;

import dev.tern.core.stream.VmDescription;
import java.util.List;

/**
 * A device section that knows its vmstate fields, for the VMDESCRIPTION JSON. Sections without
 * it are described as one {@code buffer} field of the bytes they wrote.
 */
public interface DescribedDevice {
    /**
     * The vmstate name (QEMU's {@code vmsd->name}), which prefixes the section's subsection names.
     *
     * @return the name
     */
    String vmsdName();

    /**
     * The fields written by the device's current version, in wire order.
     *
     * @return the fields
     */
    List<VmDescription.Field> vmDescriptionFields();
}
