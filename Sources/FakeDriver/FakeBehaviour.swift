/// How the fake driver misbehaves, so tests can reach the server's failure paths.
public struct FakeBehaviour: Sendable, Equatable {
    /// Operations that never return (`start`, `stop`, `suspend`, `soft_suspend`, `resume`,
    /// `checkpoint`, `status`, `getpid`).
    public var hang: Set<String> = []
    /// Operations that fail with `VMGAHP_ERR_INTERNAL`.
    public var fail: Set<String> = []
    /// How long every operation takes.
    public var delay: Duration = .zero
    /// The guest powers itself off after this many STATUS requests.
    public var powerOffAfterStatus: Int?

    public init() {}

    /// Reads `VMGAHP_FAKE_HANG`, `VMGAHP_FAKE_FAIL`, `VMGAHP_FAKE_DELAY_MS` and
    /// `VMGAHP_FAKE_POWEROFF_AFTER`.
    public init(environment: [String: String]) {
        func list(_ name: String) -> Set<String> {
            Set((environment[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ").lowercased() })
        }
        hang = list("VMGAHP_FAKE_HANG")
        fail = list("VMGAHP_FAKE_FAIL")
        if let ms = environment["VMGAHP_FAKE_DELAY_MS"].flatMap({ Int($0) }), ms > 0 { delay = .milliseconds(ms) }
        powerOffAfterStatus = environment["VMGAHP_FAKE_POWEROFF_AFTER"].flatMap { Int($0) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}
