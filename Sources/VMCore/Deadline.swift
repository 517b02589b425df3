import Synchronization

/// The outcome of a driver call run under a deadline.
public enum DeadlineOutcome<T: Sendable>: Sendable {
    case finished(Result<T, any Error>)
    case timedOut
}

/// Runs `work` in a task of its own and stops waiting for it after `timeout`.
///
/// A blocked C call cannot be cancelled, so structured concurrency (which waits for every
/// child) would hang with it. The work keeps running detached; `late` receives its
/// result if it ever arrives after the deadline, so a VM created too late can be destroyed.
public func withDeadline<T: Sendable>(
    _ timeout: Duration,
    late: @escaping @Sendable (Result<T, any Error>) -> Void = { _ in },
    _ work: @escaping @Sendable () async throws -> T
) async -> DeadlineOutcome<T> {
    let decided = Once()
    return await withCheckedContinuation { (continuation: CheckedContinuation<DeadlineOutcome<T>, Never>) in
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            if decided.claim() {
                continuation.resume(returning: .timedOut)
            }
        }
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            if decided.claim() {
                timer.cancel()
                continuation.resume(returning: .finished(result))
            } else {
                late(result)
            }
        }
    }
}

/// Runs `work` and cancels it once `timeout` has passed, which then throws
/// `CancellationError`. For work that ends when cancelled, such as a program run by
/// swift-subprocess (its teardown sequence stops the child); a blocked C call ignores
/// cancellation and needs `withDeadline` instead.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw CancellationError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A flag that exactly one caller can claim.
private final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
