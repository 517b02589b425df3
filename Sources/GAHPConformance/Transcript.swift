/// One scripted conformance case, as read from a `.gahp` transcript file.
///
/// The model keeps the author's text (with `${name}` references unexpanded): variables
/// are only known while the case runs, since captured values come from the gahp's output.
public struct Transcript: Sendable, Equatable {
    /// `topic/name`, the path below the cases root without the extension.
    public var name: String
    public var title: String?
    /// The spec statements (`§3.2.1`) the case exercises.
    public var covers: [String]
    /// Features the case needs: binary flavours (`fake-driver`, `libvirt-test`, `guests`) and
    /// host features the runner checks itself (`kvm`, `default-network`).
    public var requires: [String]
    /// The statements of the spec's §10 (deliberate differences) that make HTCondor's own gahp
    /// fail this case by design (`differs §4.9.6`). Empty: HTCondor's gahp must pass it.
    public var differs: [String]
    /// Whole-case limit in seconds.
    public var timeout: Double
    public var setup: ProcessSetup
    public var steps: [Step]

    public init(
        name: String, title: String? = nil, covers: [String] = [], requires: [String] = [],
        differs: [String] = [], timeout: Double = 60, setup: ProcessSetup = ProcessSetup(), steps: [Step] = []
    ) {
        self.name = name
        self.title = title
        self.covers = covers
        self.requires = requires
        self.differs = differs
        self.timeout = timeout
        self.setup = setup
        self.steps = steps
    }
}

/// How the gahp under test is started for one case.
public struct ProcessSetup: Sendable, Equatable {
    /// Arguments after the gahp command line; `nil` means the server mode `-f -M 3`.
    public var arguments: String?
    /// `NAME=VALUE` settings applied over the runner's defaults, in order.
    public var environment: [(name: String, value: String?)]
    /// Lines of the CONDOR_CONFIG file written into the working directory.
    public var configLines: [String]
    /// Drop the runner's default configuration lines.
    public var defaultConfig: Bool
    /// Files created in the working directory before the gahp starts.
    public var files: [WorkFile]
    /// Hypervisor names of VMs the case may create (variables unexpanded). After the case,
    /// whatever its outcome, the runner destroys each with the gahp's own kill mode (§2.5).
    public var cleanupVMs: [String]

    public init(
        arguments: String? = nil, environment: [(name: String, value: String?)] = [],
        configLines: [String] = [], defaultConfig: Bool = true, files: [WorkFile] = [],
        cleanupVMs: [String] = []
    ) {
        self.arguments = arguments
        self.environment = environment
        self.configLines = configLines
        self.defaultConfig = defaultConfig
        self.files = files
        self.cleanupVMs = cleanupVMs
    }

    public static func == (lhs: ProcessSetup, rhs: ProcessSetup) -> Bool {
        lhs.arguments == rhs.arguments
            && lhs.environment.map { "\($0.name)=\($0.value ?? "<unset>")" }
                == rhs.environment.map { "\($0.name)=\($0.value ?? "<unset>")" }
            && lhs.configLines == rhs.configLines && lhs.defaultConfig == rhs.defaultConfig
            && lhs.files == rhs.files && lhs.cleanupVMs == rhs.cleanupVMs
    }
}

/// A file or directory a case needs in the gahp's working directory.
public struct WorkFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Bytes in the raw-byte escape syntax.
        case bytes(String)
        case directory
        /// A real, empty disk image of this format and size in bytes, made by `qemu-img create`
        /// (so QEMU and libvirt accept it as what the ad declares it to be).
        case image(format: String, bytes: Int)
    }

    /// Relative to the working directory; may contain `/`.
    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}

/// Where a step came from, for failure messages.
public struct SourceLine: Sendable, Equatable, CustomStringConvertible {
    public var number: Int
    public var text: String

    public init(number: Int, text: String) {
        self.number = number
        self.text = text
    }

    public var description: String { "line \(number) `\(text)`" }
}

/// One action or check of a case, run in order.
public struct Step: Sendable, Equatable {
    public var action: Action
    /// Per-step limit in seconds; `nil` uses the current `step-timeout`.
    public var timeout: Double?
    public var source: SourceLine

    public init(_ action: Action, timeout: Double? = nil, source: SourceLine) {
        self.action = action
        self.timeout = timeout
        self.source = source
    }

    public enum Action: Sendable, Equatable {
        /// Text plus LF; only `${name}` is expanded.
        case send(String)
        /// Escaped bytes, nothing appended.
        case sendRaw(String)
        /// Escaped bytes repeated `count` times.
        case sendRepeat(String, count: Int)
        /// `TEXT` plus LF for each `i` in the range, `${i}` bound to the counter.
        case sendLoop(ClosedRange<Int>, String)
        /// Each line of a file below the cases root, plus LF, variables expanded.
        case sendFile(String)
        case expect(LinePattern)
        /// Lines are read and dropped until one matches (free-form output such as `--help`).
        case skipUntil(LinePattern)
        /// `count` lines, each `TEXT` with `${i}` bound to the counter.
        case expectLoop(ClosedRange<Int>, String)
        /// The next `n` lines match these patterns in any order.
        case unordered([LinePattern])
        case waitR
        case expectNoR
        /// Issue `RESULTS` (after each `R`, or by polling when async mode is off) until
        /// `count` result lines arrived; later expectations read them first.
        case collectResults(Int)
        case expectEOF
        case expectExit(Int32)
        case expectStderr(LinePattern)
        case expectAlive
        case closeStdin
        case stopReading
        case resumeReading
        case pause(milliseconds: Int)
        case signal(Int32)
        /// The gahp's peak resident set (VmHWM) stays below this many MiB.
        case rssBelow(mebibytes: Int)
        case stepTimeout(Double)
        case set(String, String)
    }
}
