import VMCore

extension VMStatusReport {
    /// The `KEY=VALUE` fields of a STATUS result, `STATUS` first, in the starter's
    /// spelling. Figures appear only for a running VM, as HTCondor's do; zero memory
    /// figures are left out.
    func wireFields(cpuUtilization: Double?) -> [String] {
        var fields = ["STATUS=\(state.rawValue)"]
        if state == .running {
            if let cpuUtilization { fields.append("CPUUTILIZATION=\(sixDecimals(cpuUtilization))") }
            if let cpuTime { fields.append("CPUTIME=\(sixDecimals(cpuTime))") }
            if let memoryKiB, memoryKiB > 0 { fields.append("MEMORY=\(memoryKiB)") }
            if let maxMemoryKiB, maxMemoryKiB > 0 { fields.append("MAXMEMORY=\(maxMemoryKiB)") }
            if let pid, pid > 0 { fields.append("PID=\(pid)") }
        }
        if let mac, !mac.isEmpty { fields.append("MAC=\(mac)") }
        if let ip, !ip.isEmpty { fields.append("IP=\(ip)") }
        return fields
    }
}

/// `%f` without Foundation: six decimals, rounded half up.
func sixDecimals(_ value: Double) -> String {
    guard value.isFinite else { return "0.000000" }
    let negative = value < 0
    let scaled = (abs(value) * 1_000_000).rounded()
    guard scaled < 9.2e18 else { return negative ? "-\(abs(value))" : "\(value)" }
    let micros = UInt64(scaled)
    let fraction = String(micros % 1_000_000)
    return (negative && micros > 0 ? "-" : "") + "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
}
