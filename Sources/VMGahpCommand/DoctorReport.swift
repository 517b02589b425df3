import JobAd
import VMCore

/// What `doctor` found, printed for a terminal or as one JSON object for tools.
struct DoctorReport {
    var vmType: String?
    private(set) var checks: [HostCheck] = []
    /// The lines the startd will publish; empty when the probe fails.
    var attributes: [String] = []

    init(vmType: String?) { self.vmType = vmType }

    mutating func add(_ check: HostCheck) { checks.append(check) }
    mutating func add(contentsOf found: [HostCheck]) { checks += found }

    /// No check failed and the probe answered.
    var canRunJobs: Bool { !checks.contains { $0.status == .fail } && !attributes.isEmpty }

    var text: String {
        var out = "condor_vm-gahp doctor: \(vmType ?? "(no VM type)")\n"
        for check in checks {
            out += "  \(check.status.rawValue.uppercased().padding(4))  \(check.title): \(check.detail)\n"
            if let fix = check.fix { out += "        fix: \(fix)\n" }
        }
        if !attributes.isEmpty {
            out += "The startd will publish:\n" + attributes.map { "  \($0)\n" }.joined()
        }
        let failures = checks.filter { $0.status == .fail }.count
        let warnings = checks.filter { $0.status == .warn }.count
        let type = vmType ?? "VM"
        if canRunJobs {
            out += "This host can run \(type) jobs" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))." : ".") + "\n"
        } else {
            out += "This host cannot run \(type) jobs: \(failures) problem\(failures == 1 ? "" : "s") to fix.\n"
        }
        return out
    }

    var json: String {
        let members: [(String, JSONText)] = [
            ("vmType", vmType.map(JSONText.string) ?? .null),
            ("canRunJobs", .bool(canRunJobs)),
            ("checks", .array(checks.map { check in
                .object([
                    ("title", .string(check.title)), ("status", .string(check.status.rawValue)),
                    ("detail", .string(check.detail)), ("fix", check.fix.map(JSONText.string) ?? .null),
                ])
            })),
            ("attributes", .array(attributes.map(JSONText.string))),
        ]
        return JSONText.object(members).encoded + "\n"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
