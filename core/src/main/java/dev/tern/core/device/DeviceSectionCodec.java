package dev.tern.core.device;

import dev.tern.api.guest.DeviceSection;
import dev.tern.core.stream.SectionFraming;
import dev.tern.core.stream.SectionHeader;
import dev.tern.core.stream.StreamFormatException;
import dev.tern.core.stream.StreamLoader;
import dev.tern.core.stream.StreamReader;
import dev.tern.core.stream.StreamWriter;
import dev.tern.core.stream.VmDescription;
import dev.tern.core.stream.VmStateSubsections;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Moves a {@link DeviceSection} (the guest SPI) through the stream as a FULL section (spec §8.1;
 * QEMU {@code vmstate_save}, {@code vmstate_load}): header, the device's payload through
 * {@link StreamDataOutput} / {@link StreamDataInput}, footer, and the device's VMDESCRIPTION entry.
 */
public final class DeviceSectionCodec {
    private DeviceSectionCodec() {
    }

    /**
     * Writes a device's FULL section and adds it to the description. The caller skips devices
     * whose {@link DeviceSection#needed()} is false.
     *
     * @param out the stream
     * @param sectionId the sender's section id of the device
     * @param device the device
     * @param description where the device's VMDESCRIPTION entry goes
     * @throws IOException if the device fails or the stream has failed
     */
    public static void save(StreamWriter out, int sectionId, DeviceSection device, VmDescription description)
            throws IOException {
        SectionFraming.writeFull(out, sectionId, device.idstr(), device.instanceId(), device.versionId());
        long before = out.bytesQueued();
        device.save(new StreamDataOutput(out));
        long payload = out.bytesQueued() - before;
        SectionFraming.writeFooter(out, sectionId);
        if (out.failed()) {
            throw out.error().orElseThrow();
        }
        description.add(describe(device, payload));
    }

    /**
     * Reads a device's payload after its FULL header; the caller checks the footer (as
     * {@link StreamLoader} does). A subsection under the device's vmstate name is refused: the
     * SPI has no subsections, so it would be state this destination cannot load.
     *
     * @param in the stream, after the header
     * @param device the device
     * @param header the header as read
     * @param versionId the sender's version
     * @throws StreamFormatException the device's own format error, an unknown subsection, or
     *     "error while loading state for instance 0x%x of device '%s'" wrapping any other failure
     * @throws IOException on end of stream or channel failure
     */
    public static void load(StreamReader in, DeviceSection device, SectionHeader header, int versionId)
            throws IOException {
        try {
            device.load(new StreamDataInput(in), versionId);
        } catch (StreamFormatException | EOFException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw StreamFormatException.loadStateFailed(header.instanceId(), header.idstr(), e);
        }
        String vmsd = device instanceof DescribedDevice d ? d.vmsdName() : device.idstr();
        VmStateSubsections.next(in, vmsd, Set.of());
    }

    /**
     * A {@link StreamLoader} handler that loads a device.
     *
     * @param device the device
     * @return the handler
     */
    public static StreamLoader.SectionHandler handler(DeviceSection device) {
        return (in, header, versionId) -> load(in, device, header, versionId);
    }

    private static VmDescription.Device describe(DeviceSection device, long payload) {
        if (device instanceof DescribedDevice d) {
            return new VmDescription.Device(device.idstr(), device.instanceId(), d.vmsdName(), device.versionId(),
                    d.vmDescriptionFields());
        }
        return new VmDescription.Device(device.idstr(), device.instanceId(), device.idstr(), device.versionId(),
                List.of(new VmDescription.Field("state", "buffer", payload)));
    }
}
