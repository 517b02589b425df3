/// One line of probe-mode (`-M 0`) output, printed as `Name = Value` in old ClassAd syntax.
public struct MachineAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// The line as HTCondor's gahp prints it (`VM_Networking = TRUE`, `VM_Type = "kvm"`).
    public var line: String {
        switch value {
        case .string(let s):
            // Old ClassAd syntax escapes only the delimiter.
            var quoted = ""
            for ch in s { if ch == "\"" { quoted += "\\\"" } else { quoted.append(ch) } }
            return "\(name) = \"\(quoted)\""
        case .integer(let i): return "\(name) = \(i)"
        case .boolean(let b): return "\(name) = \(b ? "TRUE" : "FALSE")"
        }
    }
}
