import CLibvirt
import Synchronization

/// One domain lifecycle event (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`), as libvirt delivered it.
struct LifecycleEvent: Sendable, Equatable {
    var domainName: String
    /// `virDomainEventType` (`VIR_DOMAIN_EVENT_STOPPED`, ...).
    var event: Int32
    /// The type-specific detail (`VIR_DOMAIN_EVENT_STOPPED_SAVED`, ...).
    var detail: Int32

    init(domainName: String, event: Int32, detail: Int32) {
        self.domainName = domainName
        self.event = event
        self.detail = detail
    }

    /// The domain no longer runs (powered off, destroyed, crashed, saved).
    var isStopped: Bool { event == Int32(VIR_DOMAIN_EVENT_STOPPED.rawValue) }
    /// The stop was our own save to a file, not the guest ending.
    var isSave: Bool { isStopped && detail == Int32(VIR_DOMAIN_EVENT_STOPPED_SAVED.rawValue) }
    var isCrash: Bool {
        event == Int32(VIR_DOMAIN_EVENT_CRASHED.rawValue)
            || (isStopped && detail == Int32(VIR_DOMAIN_EVENT_STOPPED_CRASHED.rawValue))
    }
}

/// A libvirt connection that reopens itself after the daemon went away.
///
/// `@unchecked Sendable` because it holds C pointers, which Swift cannot check: libvirt
/// connections are thread-safe (libvirt locks internally and reference-counts them), and
/// the only mutable Swift state, the current handle, lives in a `Mutex`. Callers borrow
/// the pointer with an extra reference (`virConnectRef`) so a reconnect on another thread
/// never closes it under them, and never hold the mutex across a libvirt RPC.
///
/// All methods block: call them through `BlockingCall.run`.
final class Connection: @unchecked Sendable {
    let uri: String
    private let events: EventSink
    private let state = Mutex<Handle?>(nil)

    /// - Parameter onLifecycle: called on libvirt's event thread for every lifecycle
    ///   event of every domain on this connection; must return quickly.
    init(uri: String, onLifecycle: @escaping @Sendable (LifecycleEvent) -> Void) {
        self.uri = uri
        self.events = EventSink(onLifecycle)
    }

    deinit {
        state.withLock { $0?.close() }
    }

    /// Runs `body` with a live connection, opening (or reopening) one if needed.
    /// A failure that shows the connection is gone marks it dead, so the next call
    /// reconnects instead of failing forever.
    func with<T>(_ body: (OpaquePointer) throws(LibvirtError) -> T) throws(LibvirtError) -> T {
        let (handle, ptr) = try acquire()
        defer { virConnectClose(ptr) }
        do {
            return try body(ptr)
        } catch {
            if error.isConnectionLost { handle.markDead() }
            throw error
        }
    }

    /// Runs `body` with the domain of that name; `VIR_ERR_NO_DOMAIN` when there is none.
    func withDomain<T>(_ name: String, _ body: (OpaquePointer) throws(LibvirtError) -> T) throws(LibvirtError) -> T {
        try with { (conn) throws(LibvirtError) -> T in
            let dom = try check(virDomainLookupByName(conn, name), "virDomainLookupByName(\(name))")
            defer { virDomainFree(dom) }
            return try body(dom)
        }
    }

    private func acquire() throws(LibvirtError) -> (Handle, OpaquePointer) {
        let result: Result<(Handle, OpaquePointer), LibvirtError> = state.withLock { current in
            if let handle = current, handle.isUsable {
                virConnectRef(handle.ptr)
                return .success((handle, handle.ptr))
            }
            current?.close()
            current = nil
            do throws(LibvirtError) {
                let handle = try Handle.open(uri: uri, events: events)
                current = handle
                virConnectRef(handle.ptr)
                return .success((handle, handle.ptr))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The lifecycle callback's target, handed to C as an opaque pointer.
final class EventSink: Sendable {
    let deliver: @Sendable (LifecycleEvent) -> Void
    init(_ deliver: @escaping @Sendable (LifecycleEvent) -> Void) { self.deliver = deliver }
}

/// One open `virConnectPtr` with its callbacks.
///
/// `@unchecked Sendable`: `ptr` and `callbackID` are written once before the handle is
/// shared; `dead` is atomic.
final class Handle: @unchecked Sendable {
    let ptr: OpaquePointer
    private var callbackID: Int32 = -1
    private var closeBox: UnsafeMutableRawPointer?
    private let dead = Atomic<Bool>(false)

    private init(ptr: OpaquePointer) { self.ptr = ptr }

    var isUsable: Bool { !dead.load(ordering: .acquiring) && virConnectIsAlive(ptr) == 1 }

    func markDead() { dead.store(true, ordering: .releasing) }

    static func open(uri: String, events: EventSink) throws(LibvirtError) -> Handle {
        try LibvirtRuntime.ensure()
        guard let ptr = virConnectOpen(uri) else {
            var error = LibvirtError.takeLast(fallback: "virConnectOpen(\(uri)) failed")
            error.duringConnect = true
            throw error
        }
        let handle = Handle(ptr: ptr)
        // Keepalive and the close callback only exist for remote (daemon) drivers; the
        // in-process test driver refuses them, which is fine.
        if virConnectSetKeepAlive(ptr, 5, 3) < 0 { virResetLastError() }
        let box = Unmanaged.passRetained(WeakHandle(handle)).toOpaque()
        if virConnectRegisterCloseCallback(ptr, onClose, box, releaseWeakHandle) < 0 {
            virResetLastError()
            Unmanaged<WeakHandle>.fromOpaque(box).release()
        } else {
            handle.closeBox = box
        }
        let sink = Unmanaged.passRetained(events).toOpaque()
        let id = vmgahp_register_lifecycle(ptr, onLifecycle, sink, releaseEventSink)
        if id < 0 {
            let error = LibvirtError.takeLast(fallback: "virConnectDomainEventRegisterAny failed")
            Unmanaged<EventSink>.fromOpaque(sink).release()
            handle.close()
            throw error
        }
        handle.callbackID = id
        return handle
    }

    /// Drops the callbacks and the connection's own reference. Errors are ignored: on a
    /// dead connection deregistering fails, and there is nothing left to undo.
    func close() {
        if callbackID >= 0, virConnectDomainEventDeregisterAny(ptr, callbackID) < 0 { virResetLastError() }
        callbackID = -1
        if closeBox != nil {
            if virConnectUnregisterCloseCallback(ptr, onClose) < 0 { virResetLastError() }
            closeBox = nil
        }
        virConnectClose(ptr)
    }
}

/// Lets the close callback reach its handle without keeping it alive.
private final class WeakHandle: @unchecked Sendable {
    weak var handle: Handle?
    init(_ handle: Handle) { self.handle = handle }
}

// The C callbacks. They are named constants because libvirt identifies a close callback
// by its function pointer when it is unregistered.

private let onClose: virConnectCloseFunc = { _, _, opaque in
    guard let opaque else { return }
    Unmanaged<WeakHandle>.fromOpaque(opaque).takeUnretainedValue().handle?.markDead()
}

private let releaseWeakHandle: virFreeCallback = { opaque in
    if let opaque { Unmanaged<WeakHandle>.fromOpaque(opaque).release() }
}

private let onLifecycle: virConnectDomainEventCallback = { _, dom, event, detail, opaque in
    guard let opaque, let dom, let name = virDomainGetName(dom) else { return 0 }
    let sink = Unmanaged<EventSink>.fromOpaque(opaque).takeUnretainedValue()
    sink.deliver(LifecycleEvent(domainName: String(cString: name), event: event, detail: detail))
    return 0
}

private let releaseEventSink: virFreeCallback = { opaque in
    if let opaque { Unmanaged<EventSink>.fromOpaque(opaque).release() }
}
