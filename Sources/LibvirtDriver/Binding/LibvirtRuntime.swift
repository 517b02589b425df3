import CLibvirt
import Glibc

/// Process-wide libvirt set-up, done exactly once before the first connection opens.
///
/// libvirt wants an event loop registered before any `virConnectOpen` (keepalive, close
/// callbacks and domain events all depend on it) and, once registered, the loop must be
/// run or keepalive drops connections. The loop blocks in `poll`, so it gets a thread of
/// its own rather than a slot in Swift's cooperative pool.
enum LibvirtRuntime {
    /// Swift initialises a static `let` once, thread-safely, on first use.
    private static let initialised: Bool = {
        _ = virInitialize()
        // libvirt's default handler prints every error to stderr; errors are read from
        // the thread-local slot instead (LibvirtError.takeLast).
        virSetErrorFunc(nil) { _, _ in }
        guard virEventRegisterDefaultImpl() == 0 else { return false }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            while true { _ = virEventRunDefaultImpl() }
        }, nil)
        guard started == 0 else { return false }
        pthread_detach(thread)
        return true
    }()

    static func ensure() {
        _ = initialised
    }

}
