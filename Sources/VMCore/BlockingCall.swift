import Dispatch

/// Runs blocking work (a libvirt RPC, a `waitpid`) on threads of its own.
///
/// Dispatch queues created here target the overcommitting root queue, which adds a
/// thread when all of them are blocked, so a hung call never starves Swift's
/// cooperative pool or the other VMs' calls.
public enum BlockingCall {
    private static let queue = DispatchQueue(label: "vmgahp.blocking", attributes: .concurrent)

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
