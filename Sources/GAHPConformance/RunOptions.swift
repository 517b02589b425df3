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
    /// The gahp under test is HTCondor's own: a case marked `differs` must fail (it is
    /// reported `DIFF`), and passing is a failure, since its mark or §10 is then wrong.
    public var htcondor: Bool
    /// Why each host feature (`kvm`, `default-network`) a case may require is missing here.
    public var missingHostFeatures: [String: String] = [:]

    public init(
        gahp: [String], features: Set<String> = [], filter: String? = nil,
        extraEnvironment: [(name: String, value: String)] = [], extraConfig: [String] = [],
        jobs: Int = 2, timeoutScale: Double = 1, htcondor: Bool = false
    ) {
        self.gahp = gahp
        let simulated = !features.isDisjoint(with: Self.simulatedHosts)
        self.features = features.union(simulated ? ["guests"] + HostFeature.allCases.map(\.rawValue) : [])
        self.filter = filter
        self.extraEnvironment = extraEnvironment
        self.extraConfig = extraConfig
        self.jobs = jobs
        self.timeoutScale = timeoutScale
        self.htcondor = htcondor
    }

    /// Flavours whose hypervisor is simulated: they can start VMs (`guests`) and offer every
    /// host feature, since nothing of the host is used.
    public static let simulatedHosts: Set<String> = ["fake-driver", "libvirt-test"]

    /// The libvirt URI the gahp will use: the last `VM_LIBVIRT_URI` of the `--config` lines.
    var libvirtURI: String {
        extraConfig.compactMap { line -> String? in
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 && parts[0] == "VM_LIBVIRT_URI" ? parts[1] : nil
        }.last ?? "qemu:///system"
    }

    /// With `guests` on a real host, looks for the host features no `--feature` can vouch for.
    func checkingHost() -> RunOptions {
        guard features.contains("guests") else { return self }
        var checked = self
        for feature in HostFeature.allCases where !features.contains(feature.rawValue) {
            if let why = feature.missing(libvirtURI: libvirtURI) {
                checked.missingHostFeatures[feature.rawValue] = why
            } else {
                checked.features.insert(feature.rawValue)
            }
        }
        return checked
    }

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
    /// HTCondor's gahp failed a case marked `differs`, as §10 says it must.
    case differs(String)

    /// The line the runner prints for `name`.
    public func line(for name: String) -> String {
        switch self {
        case .passed: return "PASS \(name)"
        case .failed(let why): return "FAIL \(name): \(why)"
        case .skipped(let why): return "SKIP \(name): \(why)"
        case .differs(let why): return "DIFF \(name): \(why)"
        }
    }
}
