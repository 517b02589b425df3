import Synchronization
import VMCore

/// One fake VM. Its state machine follows HTCondor's libvirt semantics, except that a
/// hard-suspended VM reports `Suspended` (HTCondor's reports `Stopped`).
final class FakeMachine: VirtualMachine {
    private enum State { case running, paused, saved, stopped }

    let name: String
    private let job: JobDescription
    private let processID: Int
    private let driver: FakeDriver
    private let state = Mutex((state: State.running, statusCalls: 0, cpuTime: 0.0))

    init(job: JobDescription, pid: Int, driver: FakeDriver) {
        self.name = job.name
        self.job = job
        self.processID = pid
        self.driver = driver
    }

    func stop() async throws {
        try await driver.behave("stop")
        state.withLock { $0.state = .stopped }
    }

    func suspend() async throws {
        try await driver.behave("suspend")
        try transition(from: [.running, .paused, .saved], to: .saved)
    }

    func softSuspend() async throws {
        try await driver.behave("soft_suspend")
        try transition(from: [.running, .paused], to: .paused)
    }

    func resume() async throws {
        try await driver.behave("resume")
        try transition(from: [.running, .paused, .saved], to: .running)
    }

    func checkpoint() async throws {
        try await driver.behave("checkpoint")
        try transition(from: [.running, .paused, .saved], to: .saved)
    }

    func status() async throws -> VMStatusReport {
        try await driver.behave("status")
        let memory = UInt64(job.memoryMiB) * 1024
        return state.withLock { s in
            s.statusCalls += 1
            if let limit = driver.behaviour.powerOffAfterStatus, s.statusCalls > limit, s.state == .running {
                s.state = .stopped
            }
            switch s.state {
            case .running:
                s.cpuTime += 0.5
                return VMStatusReport(
                    state: .running, cpuTime: s.cpuTime, vcpus: job.vcpus, memoryKiB: memory, maxMemoryKiB: memory,
                    pid: processID, mac: job.networking?.mac)
            case .paused, .saved:
                return VMStatusReport(state: .suspended)
            case .stopped:
                return .stopped
            }
        }
    }

    func pid() async throws -> Int {
        try await driver.behave("getpid")
        return state.withLock { $0.state == .stopped ? 0 : processID }
    }

    /// A `teardown` the behaviour hangs never confirms: it waits out the deadline.
    func tearDown(until deadline: ContinuousClock.Instant) async -> Bool {
        if driver.behaviour.hang.contains("teardown") {
            try? await Task.sleep(until: deadline)
            return false
        }
        state.withLock { $0.state = .stopped }
        driver.tornDownNames.withLock { $0.append(name) }
        return true
    }

    private func transition(from allowed: [State], to next: State) throws {
        try state.withLock { s in
            guard allowed.contains(s.state) else {
                throw VMGAHPError.host(.invalidOperation, "VM \(name) cannot go from \(s.state) to \(next)")
            }
            s.state = next
        }
    }
}
