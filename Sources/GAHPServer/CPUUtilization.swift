import Dispatch

/// Turns successive CPU-time samples of one VM into the fraction of its vCPUs it used.
///
/// HTCondor keeps one process-wide previous sample for all VMs and reports 1.0 on the
/// first call; here every VM has its own history, and the first figure is measured from
/// the moment the VM started.
struct CPUUtilizationTracker: Sendable {
    private var lastWall: UInt64
    private var lastCPU: Double

    init(startedAt wall: UInt64 = DispatchTime.now().uptimeNanoseconds, cpuTime: Double = 0) {
        lastWall = wall
        lastCPU = cpuTime
    }

    /// Records a sample and returns the utilisation since the previous one, in [0, 1].
    mutating func sample(cpuTime: Double, vcpus: Int, at wall: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Double {
        defer {
            lastWall = wall
            lastCPU = cpuTime
        }
        let elapsed = Double(wall &- lastWall) / 1e9
        guard elapsed > 0, cpuTime >= lastCPU else { return 0 }
        let fraction = (cpuTime - lastCPU) / (elapsed * Double(max(vcpus, 1)))
        return min(max(fraction, 0), 1)
    }
}
