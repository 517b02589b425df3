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
    /// Binary flavours the case needs (`fake-driver`, `libvirt-test`, ...).
    public var requires: [String]
    /// Whole-case limit in seconds.
    public var timeout: Double
    public var setup: ProcessSetup
    public var steps: [Step]

    public init(
        name: String, title: String? = nil, covers: [String] = [], requires: [String] = [],
        timeout: Double = 60, setup: ProcessSetup = ProcessSetup(), steps: [Step] = []
    ) {
        self.name = name
        self.title = title
        self.covers = covers
        self.requires = requires
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

    public init(
        arguments: String? = nil, environment: [(name: String, value: String?)] = [],
        configLines: [String] = [], defaultConfig: Bool = true, files: [WorkFile] = []
    ) {
        self.arguments = arguments
        self.environment = environment
        self.configLines = configLines
        self.defaultConfig = defaultConfig
        self.files = files
    }

    public static func == (lhs: ProcessSetup, rhs: ProcessSetup) -> Bool {
        lhs.arguments == rhs.arguments
            && lhs.environment.map { "\($0.name)=\($0.value ?? "<unset>")" }
                == rhs.environment.map { "\($0.name)=\($0.value ?? "<unset>")" }
            && lhs.configLines == rhs.configLines && lhs.defaultConfig == rhs.defaultConfig
            && lhs.files == rhs.files
    }
}

/// A file or directory a case needs in the gahp's working directory.
public struct WorkFile: Sendable, Equatable {
    /// Relative to the working directory; may contain `/`.
    public var path: String
    /// Contents in the raw-byte escape syntax; `nil` creates a directory.
    public var contents: String?

    public init(path: String, contents: String?) {
        self.path = path
        self.contents = contents
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
