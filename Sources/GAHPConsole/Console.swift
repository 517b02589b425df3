import Dispatch
import GAHPServer
import GAHPWire
import Synchronization
import VMCore

/// The interactive transport of the GAHP engine, for an admin at a terminal.
///
/// It stands where the pipe reader stands for the starter: what the admin types becomes
/// protocol lines for `GAHPSession.receive` (commands in any case, request ids filled in,
/// `CLASSAD_FILE` expanded, `HELP` answered here), and the engine's output comes back
/// through `display` to be shown as sentences: results as they complete (the console sends
/// `RESULTS` itself on `R`), error tokens explained with what the starter would do.
/// The engine is the same one the starter talks to, unchanged.
public final class Console: Sendable {
    public struct Options: Sendable {
        public var vmType: String
        public var workingDirectory: String
        public var supportedTypes: [String]
        /// A job ad to send before the first prompt (`--job-ad`).
        public var jobAdFile: String?
        /// Reads a file (`CLASSAD_FILE`); nil when it cannot be read.
        public var readFile: @Sendable (String) -> [UInt8]?
        public var environment: [String: String]

        public init(
            vmType: String, workingDirectory: String, supportedTypes: [String], jobAdFile: String?,
            readFile: @escaping @Sendable (String) -> [UInt8]?, environment: [String: String]
        ) {
            self.vmType = vmType
            self.workingDirectory = workingDirectory
            self.supportedTypes = supportedTypes
            self.jobAdFile = jobAdFile
            self.readFile = readFile
            self.environment = environment
        }
    }

    let options: Options
    private let editor: LineEditor
    private let state = Mutex(ConsoleState())
    /// Every line reaches the engine through this queue, so replies arrive in the order
    /// the lines were sent, whether the admin typed them or the console sent `RESULTS`.
    private let engine = DispatchQueue(label: "vmgahp.console")

    public init(options: Options, input: Int32, output: Int32) {
        self.options = options
        editor = LineEditor(
            input: input, output: output, prompt: Self.prompt, completions: CommandHelp.names, environment: options.environment)
    }

    static let prompt = "vm-gahp> "
    static let adPrompt = "  ad> "

    /// `ProtocolOutput`'s sink in interactive mode.
    public var sink: ProtocolOutput.Sink { { self.display($0) } }

    /// The engine's lines, shown readably.
    func display(_ text: String) -> Bool {
        var shown = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            switch state.withLock({ $0.take(String(line), console: self) }) {
            case .show(let text): shown += text
            case .collectResults:
                engine.async { self.deliver([Outgoing(line: "RESULTS", sent: Sent(kind: .autoResults))]) }
            case .nothing: break
            }
        }
        if !shown.isEmpty { editor.printAbove(shown) }
        return true
    }

    /// Reads the admin's lines until QUIT or the end of input; never returns.
    public func run(
        session: GAHPSession, quit: @escaping @Sendable () -> Never, end: @escaping @Sendable () -> Never
    ) -> Never {
        engine.sync { state.withLock { $0.session = SessionBox(session: session, quit: quit) } }
        editor.printAbove(banner)
        session.greet()
        engine.sync { deliver([Outgoing(line: "ASYNC_MODE_ON", sent: Sent(kind: .quiet))]) }
        if let file = options.jobAdFile { submit("CLASSAD_FILE " + file) }
        while true {
            switch editor.readLine() {
            case .line(let typed): submit(typed)
            case .end:
                editor.printAbove("End of input: destroying this session's VMs and exiting.\n")
                engine.sync {}
                end()
            }
        }
    }

    private var banner: String {
        """
        condor_vm-gahp \(GAHPVersion.number), built \(GAHPVersion.buildDate): interactive session
          VM type \(options.vmType), working directory \(options.workingDirectory)
          HELP lists the commands; CLASSAD_FILE <path> loads a job ad, VM_START starts it.
          Results print as they complete. QUIT or Ctrl-D destroys this session's VMs and exits.

        """
    }

    /// Turns one typed line into protocol lines (or a local answer) and sends them.
    private func submit(_ typed: String) {
        let translation = state.withLock { $0.translate(typed, options: options) }
        switch translation {
        case .local(let text): editor.printAbove(text)
        case .send(let lines): engine.sync { deliver(lines) }
        }
        editor.setPrompt(state.withLock { $0.inAd } ? Self.adPrompt : Self.prompt)
    }

    /// Runs on `engine`: records what each line expects back, then hands it to the engine.
    private func deliver(_ lines: [Outgoing]) {
        guard let box = state.withLock({ $0.session }) else { return }
        for outgoing in lines {
            if let sent = outgoing.sent { state.withLock { $0.awaiting.append(sent) } }
            if box.session.receive(LineFramer.Line(bytes: Array(outgoing.line.utf8))) == .quit {
                box.quit()
            }
        }
    }
}

/// The engine, once it exists, and what to do on `QUIT`.
struct SessionBox: Sendable {
    var session: GAHPSession
    var quit: @Sendable () -> Never
}

/// A line for the engine and, unless it is a job ad line (which gets no reply), what its reply means.
struct Outgoing: Sendable {
    var line: String
    var sent: Sent?
}

/// A line sent, remembered until its immediate reply (`S`, `E`, or `S <n>` for RESULTS).
struct Sent: Sendable {
    enum Kind: Sendable {
        /// Typed by the admin.
        case typed(words: [String], entry: GAHPCommand.Entry?)
        /// A VM request; `id` is its request id.
        case request(id: Int, name: String)
        /// CLASSAD/CLASSAD_END sent for CLASSAD_FILE.
        case adFile(path: String, lines: Int, end: Bool)
        /// RESULTS sent because of an `R`.
        case autoResults
        /// Set-up the admin did not type (ASYNC_MODE_ON).
        case quiet
    }
    var kind: Kind
}
