import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM and SIGQUIT end the gahp (after teardown); SIGHUP re-reads the configuration.
enum Signals {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Returns once every handler is live, so a signal sent after the greeting is never lost.
    ///
    /// libdispatch registers a signal source on its manager thread some time after `resume()`;
    /// until then the signal is still ignored. On a loaded two-core host that window outlasted
    /// the greeting and a whole request, and a starter's SIGTERM vanished. Waiting for each
    /// source's registration handler closes the window before the gahp says it is ready.
    static func install(terminate: @escaping @Sendable (String) -> Void, reload: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "vmgahp.signals")
        let handlers: [(Int32, @Sendable () -> Void)] = [
            (SIGTERM, { terminate("SIGTERM") }),
            (SIGQUIT, { terminate("SIGQUIT") }),
            (SIGHUP, reload),
        ]
        let registered = DispatchSemaphore(value: 0)
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setRegistrationHandler { registered.signal() }
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
        for _ in handlers { registered.wait() }
    }
}
