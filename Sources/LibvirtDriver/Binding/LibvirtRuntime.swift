import CLibvirt
import CLibvirtLoader
import Glibc

/// Process-wide libvirt set-up, done exactly once before the first connection opens.
///
/// libvirt wants an event loop registered before any `virConnectOpen` (keepalive, close
/// callbacks and domain events all depend on it) and, once registered, the loop must be
/// run or keepalive drops connections. The loop blocks in `poll`, so it gets a thread of
/// its own rather than a slot in Swift's cooperative pool.
enum LibvirtRuntime {
    /// Swift initialises a static `let` once, thread-safely, on first use. `nil` when
    /// libvirt is ready, else why it is not.
    private static let failure: String? = {
        // The gahp is not linked against libvirt (see CLibvirtLoader): load it now.
        if let error = vmgahp_libvirt_load() { return String(cString: error) }
        _ = virInitialize()
        // libvirt's default handler prints every error to stderr; errors are read from
        // the thread-local slot instead (LibvirtError.takeLast).
        virSetErrorFunc(nil) { _, _ in }
        guard virEventRegisterDefaultImpl() == 0 else { return "cannot register libvirt's event loop" }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            while true { _ = virEventRunDefaultImpl() }
        }, nil)
        guard started == 0 else { return "cannot start libvirt's event loop thread" }
        pthread_detach(thread)
        return nil
    }()

    /// Makes libvirt usable; fails (as a host problem) when the library cannot be loaded.
    static func ensure() throws(LibvirtError) {
        if let failure {
            throw LibvirtError(code: Int32(VIR_ERR_NO_SUPPORT.rawValue), domain: 0, message: failure, duringConnect: true)
        }
    }

}
