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
    ///
    /// A daemon that cannot be reached is the host's set-up (`VMGAHP_ERR_CRITICAL`); other
    /// failures are the host's too (`VMGAHP_ERR_INTERNAL`) unless they say the domain the
    /// job describes is invalid. A START refused for any other reason is checked again
    /// against the job's images (`ImageCheck`) before the host is blamed.
    func vmgahpError(during operation: DriverOperation) -> VMGAHPError {
        let code = UInt32(bitPattern: self.code)
        let text = "\(operation.rawValue): \(message) (libvirt error \(self.code), subsystem \(domain))"
        if isConnectionLost { return VMGAHPError.host(.critical, "libvirt unreachable: \(text)") }
        if isNoDomain { return VMGAHPError.host(.vmNotFound, text) }
        if code == VIR_ERR_OPERATION_INVALID.rawValue { return VMGAHPError.host(.invalidOperation, text) }
        switch operation {
        case .start where Self.descriptionErrors.contains(code):
            return VMGAHPError.job(.badImage, text)
        case .checkpoint:
            return VMGAHPError.host(.cannotCreateCheckpointFiles, text)
        default:
            return VMGAHPError.host(.internal, "libvirt \(text)")
        }
    }
}
