import CLibvirt
import VMCore

/// Which request a libvirt failure happened in; the same libvirt error means different
/// things to the starter depending on it.
enum DriverOperation: String, Sendable {
    case start, stop, suspend, softSuspend = "soft suspend", resume, checkpoint, status, kill, probe
}

extension LibvirtError {
    /// libvirt errors that mean the domain description itself is wrong: a job mistake,
    /// which the starter answers with a hold rather than taking the host offline.
    private static let descriptionErrors: Set<UInt32> = [
        VIR_ERR_XML_ERROR.rawValue, VIR_ERR_XML_DETAIL.rawValue, VIR_ERR_XML_INVALID_SCHEMA.rawValue,
        VIR_ERR_CONFIG_UNSUPPORTED.rawValue, VIR_ERR_NO_SOURCE.rawValue, VIR_ERR_NO_TARGET.rawValue,
        VIR_ERR_NO_OS.rawValue, VIR_ERR_NO_NAME.rawValue, VIR_ERR_NO_DEVICE.rawValue,
    ]

    /// The token the starter should see. Decided by libvirt's error number and
    /// subsystem only: message texts change between releases and locales.
    func vmgahpError(during operation: DriverOperation) -> VMGAHPError {
        let code = UInt32(bitPattern: self.code)
        let text = "\(operation.rawValue): \(message) (libvirt error \(self.code), subsystem \(domain))"
        if isConnectionLost { return VMGAHPError.host(.unclassified, "libvirt \(text)") }
        if isNoDomain { return VMGAHPError.host(.vmNotFound, text) }
        if code == VIR_ERR_OPERATION_INVALID.rawValue { return VMGAHPError.host(.invalidOperation, text) }
        switch operation {
        case .start where Self.descriptionErrors.contains(code):
            return VMGAHPError.job(.badImage, text)
        case .checkpoint:
            return VMGAHPError.host(.cannotCreateCheckpointFiles, text)
        default:
            // A host problem (daemon down, permission denied, QEMU failing): the message is
            // the most useful thing an admin can get, so it goes on the wire as is.
            return VMGAHPError.host(.unclassified, "libvirt \(text)")
        }
    }
}
