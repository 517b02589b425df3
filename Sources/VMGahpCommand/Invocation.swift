/// What the command line asks for.
///
/// The server and probe/kill grammar is HTCondor's, not a modern one: DaemonCore options
/// `-f` and `-t` come first in any order, then `-M <mode>`, then keyword pairs. The
/// startd and starter build exactly these lines, so they are parsed by hand; `explain-ad`
/// is ours and uses swift-argument-parser.
enum Invocation: Equatable {
    case help
    case manPage
    case version
    case explainAd([String])
    case doctor([String])
    /// `interactive` is nil for the starter's pipes (unless stdin turns out to be a terminal).
    case server(logToStderr: Bool, interactive: InteractiveRequest?)
    case probe(vmType: String, logToStderr: Bool)
    case kill(vmType: String, name: String, logToStderr: Bool)

    struct UsageError: Error, Equatable {
        var reason: String
    }

    /// The synopsis a usage error prints; `--help` and the man page say more (HelpText).
    static var usage: String { HelpText.usage }

    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var rest = arguments[...]
        switch rest.first {
        case "--help", "-h", "help": return .help
        case "--version", "-v": return .version
        case "--man-page": return .manPage
        case "explain-ad": return .explainAd(Array(rest.dropFirst()))
        case "doctor": return .doctor(Array(rest.dropFirst()))
        default: break
        }
        var logToStderr = false
        var interactive: InteractiveRequest?
        while let flag = rest.first, ["-f", "-t", "--interactive", "--job-ad"].contains(flag) {
            rest = rest.dropFirst()
            switch flag {
            case "-t": logToStderr = true
            case "--interactive": interactive = interactive ?? InteractiveRequest()
            case "--job-ad":
                guard let file = rest.first else { throw UsageError(reason: "--job-ad needs a file") }
                interactive = InteractiveRequest(jobAdFile: file)
                rest = rest.dropFirst()
            default: break
            }
        }
        if rest.isEmpty, interactive != nil { return .server(logToStderr: logToStderr, interactive: interactive) }
        guard rest.first == "-M" else { throw UsageError(reason: "expected -M <mode>") }
        rest = rest.dropFirst()
        guard let modeText = rest.first, let mode = Int(modeText) else {
            throw UsageError(reason: "-M needs a mode number")
        }
        rest = rest.dropFirst()
        let keywords = try keywordPairs(rest)
        switch mode {
        case 1, 3:
            guard keywords.isEmpty else { throw UsageError(reason: "mode \(mode) takes no other arguments") }
            return .server(logToStderr: logToStderr, interactive: interactive)
        case _ where interactive != nil:
            throw UsageError(reason: "--interactive and --job-ad are for the server (mode 3)")
        case 0:
            guard let type = keywords["vmtype"], keywords.count == 1 else {
                throw UsageError(reason: "mode 0 needs exactly 'vmtype <vmtype>'")
            }
            return .probe(vmType: type.lowercased(), logToStderr: logToStderr)
        case 4:
            guard let type = keywords["vmtype"], let name = keywords["match"], keywords.count == 2 else {
                throw UsageError(reason: "mode 4 needs 'vmtype <vmtype> match <name>'")
            }
            return .kill(vmType: type.lowercased(), name: name, logToStderr: logToStderr)
        default:
            throw UsageError(reason: "unknown mode \(mode)")
        }
    }

    private static func keywordPairs(_ words: ArraySlice<String>) throws(UsageError) -> [String: String] {
        var pairs: [String: String] = [:]
        var rest = words
        while let keyword = rest.first {
            let key = keyword.lowercased()
            guard key == "vmtype" || key == "match" else { throw UsageError(reason: "unknown argument '\(keyword)'") }
            guard rest.count >= 2 else { throw UsageError(reason: "'\(keyword)' needs a value") }
            guard pairs[key] == nil else { throw UsageError(reason: "'\(keyword)' given twice") }
            pairs[key] = rest[rest.index(after: rest.startIndex)]
            rest = rest.dropFirst(2)
        }
        return pairs
    }
}
