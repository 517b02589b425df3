import GAHPWire
import VMCore

/// One VM the session knows, from the moment its START is accepted.
final class VMEntry: @unchecked Sendable {
    // Every field is only touched with the session's state lock held.
    let id: Int
    /// The last request queued for this VM; the next one waits for it, which keeps one
    /// VM's requests in arrival order while different VMs proceed in parallel.
    var tail: Task<Void, Never>?
    var machine: (any VirtualMachine)?
    var job: JobDescription?
    var cpu = CPUUtilizationTracker()

    init(id: Int) { self.id = id }
}

/// Everything the session mutates, guarded by one lock.
struct SessionState: Sendable {
    var asyncMode = true
    var notified = false
    var results: [ResultLine] = []
    var pending: Set<Int> = []
    var nextVMID = 1
    var vms: [Int: VMEntry] = [:]
    /// The ad from the last completed `CLASSAD` block.
    var ad: [String]?
    /// Lines of a `CLASSAD` block being received, and their size.
    var collecting: [String]?
    var collectingBytes = 0
    var closing = false

    /// Queues a result; returns true when an `R` notice must be written for it.
    mutating func enqueue(_ line: ResultLine) -> Bool {
        results.append(line)
        pending.remove(line.requestID)
        guard asyncMode, !notified else { return false }
        notified = true
        return true
    }
}
