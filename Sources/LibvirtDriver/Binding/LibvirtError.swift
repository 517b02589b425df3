import CLibvirt

/// A failed libvirt call, copied out of libvirt's thread-local error slot.
///
/// libvirt keeps the last error per thread, so it must be read in the same synchronous
/// stretch of code as the call that failed: a Swift task may resume on another thread
/// after any `await`. Every wrapper in this target therefore throws a `LibvirtError`
/// straight from the blocking closure that made the call.
struct LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `virErrorNumber`, e.g. 42 (`VIR_ERR_NO_DOMAIN`).
    var code: Int32
    /// `virErrorDomain`: the libvirt subsystem that raised it (`VIR_FROM_QEMU`, `VIR_FROM_RPC`, ...).
    var domain: Int32
    var message: String
    /// The failure happened while opening the connection: whatever libvirt's number says,
    /// the hypervisor could not be reached, which is the host's problem, not the job's.
    var duringConnect = false

    init(code: Int32, domain: Int32, message: String, duringConnect: Bool = false) {
        self.code = code
        self.domain = domain
        self.message = message
        self.duringConnect = duringConnect
    }

    /// Takes the calling thread's last libvirt error and clears it.
    static func takeLast(fallback: String) -> LibvirtError {
        guard let err = virGetLastError() else {
            return LibvirtError(code: Int32(VIR_ERR_INTERNAL_ERROR.rawValue), domain: 0, message: fallback)
        }
        let error = LibvirtError(
            code: err.pointee.code, domain: err.pointee.domain,
            message: err.pointee.message.map { String(cString: $0) } ?? fallback)
        virResetLastError()
        return error
    }

    var description: String { "libvirt error \(code) (from \(domain)): \(message)" }

    /// The domain (VM) does not exist (any more).
    var isNoDomain: Bool { code == Int32(VIR_ERR_NO_DOMAIN.rawValue) }

    /// The daemon cannot be reached or the connection broke: a host problem, and a sign
    /// that the next call should open a new connection.
    var isConnectionLost: Bool {
        if duringConnect { return true }
        let c = UInt32(bitPattern: code)
        return c == VIR_ERR_NO_CONNECT.rawValue || c == VIR_ERR_INVALID_CONN.rawValue
            || (c == VIR_ERR_SYSTEM_ERROR.rawValue && UInt32(bitPattern: domain) == VIR_FROM_RPC.rawValue)
            || (c == VIR_ERR_INTERNAL_ERROR.rawValue && UInt32(bitPattern: domain) == VIR_FROM_RPC.rawValue)
    }
}

/// Runs a libvirt call that reports failure with a negative return value.
@discardableResult
func check(_ result: Int32, _ what: @autoclosure () -> String) throws(LibvirtError) -> Int32 {
    if result < 0 { throw LibvirtError.takeLast(fallback: "\(what()) failed") }
    return result
}

/// Runs a libvirt call that reports failure with a NULL pointer.
func check<T>(_ result: T?, _ what: @autoclosure () -> String) throws(LibvirtError) -> T {
    guard let result else { throw LibvirtError.takeLast(fallback: "\(what()) failed") }
    return result
}
