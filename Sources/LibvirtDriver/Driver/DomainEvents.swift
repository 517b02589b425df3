import Synchronization

/// Fans libvirt's lifecycle events out to whoever watches a domain name.
///
/// Handlers run on libvirt's event thread, so they only update state or resume a
/// continuation; they never call back into libvirt.
final class DomainEvents: Sendable {
    typealias Handler = @Sendable (LifecycleEvent) -> Void

    struct Token: Hashable, Sendable {
        fileprivate let name: String
        fileprivate let id: UInt64
    }

    private struct State {
        var nextID: UInt64 = 0
        var handlers: [String: [UInt64: Handler]] = [:]
    }

    private let state = Mutex(State())

    func deliver(_ event: LifecycleEvent) {
        // In subscription order: a VM's own handler (subscribed at START) updates its state
        // before anyone waiting on the same event is woken.
        let handlers = state.withLock { ($0.handlers[event.domainName] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }
        for handler in handlers { handler(event) }
    }

    func observe(_ name: String, _ handler: @escaping Handler) -> Token {
        state.withLock { state in
            state.nextID += 1
            state.handlers[name, default: [:]][state.nextID] = handler
            return Token(name: name, id: state.nextID)
        }
    }

    func cancel(_ token: Token) {
        state.withLock { state in
            state.handlers[token.name]?[token.id] = nil
            if state.handlers[token.name]?.isEmpty == true { state.handlers[token.name] = nil }
        }
    }

    /// Waits until the domain stops (an event says so, or `isGone` finds it missing) or
    /// the time is up. Returns whether it is gone.
    func waitUntilGone(_ name: String, within limit: Duration, isGone: @Sendable () async -> Bool) async -> Bool {
        let signal = OneShot()
        let token = observe(name) { event in if event.isStopped { signal.fire(true) } }
        defer { cancel(token) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            signal.fire(false)
        }
        defer { timer.cancel() }
        // Checked after subscribing, so an event between the check and the wait is not lost.
        if await isGone() { return true }
        return await signal.value()
    }
}

/// A value that is set once and awaited once.
final class OneShot: Sendable {
    private struct State {
        var value: Bool?
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    func fire(_ value: Bool) {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Bool {
        await withCheckedContinuation { continuation in
            let ready: Bool? = state.withLock { state in
                if let value = state.value { return value }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
