/// The operations a VM request can ask for.
public enum VMOperation: String, Sendable, CaseIterable {
    case start, stop, suspend, softSuspend, resume, checkpoint, status, getpid
}

/// Every command the gahp understands, with its arity (the command word included).
///
/// `COMMANDS` is generated from this table, so the reply can never disagree with what the
/// dispatcher accepts. HTCondor's names come first, in HTCondor's order (the starter
/// stores the list and checks for `ASYNC_MODE_ON`, `CONDOR_VM_START` and `CLASSAD`); our
/// short names follow.
public enum GAHPCommand: Sendable, Equatable {
    case asyncModeOn, asyncModeOff, version, commands, supportVMs, results, quit, classAd, classAdEnd
    case vm(VMOperation)

    public struct Entry: Sendable {
        public var name: String
        public var command: GAHPCommand
        public var arity: Int
    }

    public static let table: [Entry] = [
        Entry(name: "ASYNC_MODE_ON", command: .asyncModeOn, arity: 1),
        Entry(name: "ASYNC_MODE_OFF", command: .asyncModeOff, arity: 1),
        Entry(name: "CONDOR_VM_START", command: .vm(.start), arity: 3),
        Entry(name: "CONDOR_VM_STOP", command: .vm(.stop), arity: 3),
        Entry(name: "CONDOR_VM_SUSPEND", command: .vm(.suspend), arity: 3),
        Entry(name: "CONDOR_VM_SOFT_SUSPEND", command: .vm(.softSuspend), arity: 3),
        Entry(name: "CONDOR_VM_RESUME", command: .vm(.resume), arity: 3),
        Entry(name: "CONDOR_VM_CHECKPOINT", command: .vm(.checkpoint), arity: 3),
        Entry(name: "CONDOR_VM_STATUS", command: .vm(.status), arity: 3),
        Entry(name: "CONDOR_VM_GETPID", command: .vm(.getpid), arity: 3),
        Entry(name: "QUIT", command: .quit, arity: 1),
        Entry(name: "VERSION", command: .version, arity: 1),
        Entry(name: "COMMANDS", command: .commands, arity: 1),
        Entry(name: "SUPPORT_VMS", command: .supportVMs, arity: 1),
        Entry(name: "RESULTS", command: .results, arity: 1),
        Entry(name: "CLASSAD", command: .classAd, arity: 1),
        Entry(name: "CLASSAD_END", command: .classAdEnd, arity: 1),
        Entry(name: "VM_START", command: .vm(.start), arity: 3),
        Entry(name: "VM_STOP", command: .vm(.stop), arity: 3),
        Entry(name: "VM_SUSPEND", command: .vm(.suspend), arity: 3),
        Entry(name: "VM_SOFT_SUSPEND", command: .vm(.softSuspend), arity: 3),
        Entry(name: "VM_RESUME", command: .vm(.resume), arity: 3),
        Entry(name: "VM_SNAPSHOT", command: .vm(.checkpoint), arity: 3),
        Entry(name: "VM_STATUS", command: .vm(.status), arity: 3),
        Entry(name: "VM_GETPID", command: .vm(.getpid), arity: 3),
    ]

    private static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })

    /// Looks a command word up, case-insensitively.
    public static func entry(named word: String) -> Entry? { byName[word.uppercased()] }

    /// The `COMMANDS` reply.
    public static let commandsReply = "S " + table.map(\.name).joined(separator: " ")
}
