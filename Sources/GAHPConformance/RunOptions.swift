/// How the runner starts gahps and which cases it runs.
public struct RunOptions: Sendable {
    /// The gahp command line as words (`--gahp` split like a shell would).
    public var gahp: [String]
    /// Binary flavours available (`fake-driver`, `libvirt-test`, ...); cases that
    /// `require` something else are skipped.
    public var features: Set<String>
    /// Only cases whose name contains this.
    public var filter: String?
    /// `NAME=VALUE` added to every case's environment (before the case's own).
    public var extraEnvironment: [(name: String, value: String)]
    /// Configuration lines added to every case (after the defaults, before the case's own).
    public var extraConfig: [String]
    /// Cases run at the same time.
    public var jobs: Int
    /// Multiplies every timeout (slow machines, debug builds under load).
    public var timeoutScale: Double

    public init(
        gahp: [String], features: Set<String> = [], filter: String? = nil,
        extraEnvironment: [(name: String, value: String)] = [], extraConfig: [String] = [],
        jobs: Int = 2, timeoutScale: Double = 1
    ) {
        self.gahp = gahp
        self.features = features.union(features.contains { Self.impliesGuests.contains($0) } ? ["guests"] : [])
        self.filter = filter
        self.extraEnvironment = extraEnvironment
        self.extraConfig = extraConfig
        self.jobs = jobs
        self.timeoutScale = timeoutScale
    }

    /// Flavours that can really start VMs, so cases that `require guests` may run.
    public static let impliesGuests: Set<String> = ["fake-driver", "libvirt-test"]

    /// The configuration every case starts from: enough for a gahp to start in server
    /// mode (`VM_MEMORY` must be > 0) and to log beside, not inside, the working directory.
    public static let defaultConfig = [
        "VM_TYPE = kvm",
        "VM_MEMORY = 1024",
        "VM_NETWORKING = false",
        "LOG = ${root}/log",
        "VM_GAHP_LOG = ${root}/log/VMGahpLog",
    ]
}

/// The verdict on one case.
public enum CaseOutcome: Sendable, Equatable {
    case passed
    case failed(String)
    case skipped(String)

    /// The line the runner prints for `name`.
    public func line(for name: String) -> String {
        switch self {
        case .passed: return "PASS \(name)"
        case .failed(let why): return "FAIL \(name): \(why)"
        case .skipped(let why): return "SKIP \(name): \(why)"
        }
    }
}
