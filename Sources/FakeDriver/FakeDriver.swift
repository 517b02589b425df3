import Synchronization
import VMCore

/// An in-memory hypervisor for tests: VMs move through HTCondor's states without any
/// guest, and `FakeBehaviour` makes chosen operations slow, failing or hung.
public final class FakeDriver: VMDriver {
    let behaviour: FakeBehaviour
    let policy: HostPolicy
    private let started = Mutex(0)
    /// Names passed to `destroy(name:)`, for tests.
    public let destroyedNames = Mutex<[String]>([])
    /// Names of VMs torn down (QUIT, end of input, signals), for tests.
    public let tornDownNames = Mutex<[String]>([])

    public init(behaviour: FakeBehaviour, policy: HostPolicy) {
        self.behaviour = behaviour
        self.policy = policy
    }

    public func probe() async throws -> HostCapabilities {
        HostCapabilities(networkingTypes: policy.networkingTypes)
    }

    public func start(_ job: JobDescription) async throws -> any VirtualMachine {
        try await behave("start")
        let index = started.withLock { count -> Int in
            count += 1
            return count
        }
        return FakeMachine(job: job, pid: 4000 + index, driver: self)
    }

    public func destroy(name: String, until deadline: ContinuousClock.Instant) async throws {
        destroyedNames.withLock { $0.append(name) }
    }

    public func explain(_ job: JobDescription) throws -> String? {
        "fake VM \(job.name): \(job.memoryMiB) MiB, \(job.vcpus) vCPU(s), \(job.disks.count) disk(s)"
    }

    /// Applies the configured delay, failure or hang for one operation.
    func behave(_ operation: String) async throws {
        if behaviour.delay > .zero { try? await Task.sleep(for: behaviour.delay) }
        if behaviour.hang.contains(operation) {
            while true { try? await Task.sleep(for: .seconds(3600)) }
        }
        if behaviour.fail.contains(operation) {
            throw VMGAHPError.host(.internal, "fake driver told to fail \(operation)")
        }
    }
}
