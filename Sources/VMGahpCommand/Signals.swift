import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM and SIGQUIT end the gahp (after teardown); SIGHUP re-reads the configuration.
enum Signals {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install(terminate: @escaping @Sendable (String) -> Void, reload: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "vmgahp.signals")
        let handlers: [(Int32, @Sendable () -> Void)] = [
            (SIGTERM, { terminate("SIGTERM") }),
            (SIGQUIT, { terminate("SIGQUIT") }),
            (SIGHUP, reload),
        ]
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }
}
