#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the transcript language documented in `protocol-spec/cases/README.md`.
public enum TranscriptParser {
    public static func parse(_ text: String, name: String) throws(TranscriptError) -> Transcript {
        var transcript = Transcript(name: name)
        var pendingUnordered: (count: Int, patterns: [LinePattern], source: SourceLine)?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = String(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let source = SourceLine(number: number, text: line)
            let (directive, argument) = splitDirective(String(trimmed))
            do throws(TranscriptError) {
                if var group = pendingUnordered {
                    guard directive == "expect" || directive == "expect-re" else {
                        throw TranscriptError(line: number, message: "`unordered` needs \(group.count) expect/expect-re lines")
                    }
                    group.patterns.append(directive == "expect" ? .exact(argument) : .regex(argument))
                    if group.patterns.count == group.count {
                        transcript.steps.append(Step(.unordered(group.patterns), source: group.source))
                        pendingUnordered = nil
                    } else {
                        pendingUnordered = group
                    }
                    continue
                }
                if directive == "unordered" {
                    let count = try integer(argument, "unordered")
                    guard count > 0 else { throw TranscriptError(line: number, message: "`unordered` needs a count > 0") }
                    pendingUnordered = (count, [], source)
                    continue
                }
                if try applyHeader(directive, argument, to: &transcript) { continue }
                transcript.steps.append(try step(directive, argument, source: source))
            } catch {
                throw TranscriptError(line: number, message: error.message)
            }
        }
        if let group = pendingUnordered {
            throw TranscriptError(line: group.source.number, message: "`unordered` group is incomplete at end of file")
        }
        if transcript.covers.isEmpty {
            throw TranscriptError(line: 0, message: "a case must cite the spec statements it covers (`covers §…`)")
        }
        return transcript
    }

    /// The directive is the first word; the argument is the rest after one blank, kept verbatim.
    static func splitDirective(_ line: String) -> (String, String) {
        guard let blank = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line, "") }
        return (String(line[..<blank]), String(line[line.index(after: blank)...]))
    }

    private static func applyHeader(_ directive: String, _ argument: String, to transcript: inout Transcript) throws(TranscriptError) -> Bool {
        switch directive {
        case "title": transcript.title = argument
        case "covers": transcript.covers += words(argument)
        case "requires": transcript.requires += words(argument)
        case "differs":
            let references = words(argument)
            guard !references.isEmpty, references.allSatisfy({ $0.hasPrefix("§") }) else {
                throw TranscriptError(line: 0, message: "`differs` needs the §10 statements HTCondor's gahp differs in, e.g. `differs §4.9.6`")
            }
            transcript.differs += references
        case "cleanup-vm":
            guard !argument.isEmpty else { throw TranscriptError(line: 0, message: "`cleanup-vm` needs a VM name") }
            transcript.setup.cleanupVMs.append(argument)
        case "timeout": transcript.timeout = try seconds(argument)
        case "args": transcript.setup.arguments = argument
        case "env":
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw TranscriptError(line: 0, message: "`env` needs NAME=VALUE")
            }
            transcript.setup.environment.append((String(argument[..<equals]), String(argument[argument.index(after: equals)...])))
        case "unset":
            guard !argument.isEmpty else { throw TranscriptError(line: 0, message: "`unset` needs a name") }
            transcript.setup.environment.append((argument, nil))
        case "config": transcript.setup.configLines.append(argument)
        case "no-default-config": transcript.setup.defaultConfig = false
        case "file":
            let (path, contents) = splitDirective(argument)
            try checkRelative(path)
            _ = try ByteEscapes.decode(contents)
            transcript.setup.files.append(WorkFile(path: path, kind: .bytes(contents)))
        case "image":
            let parts = words(argument)
            guard parts.count == 3, ["raw", "qcow2"].contains(parts[1]), let size = byteSize(parts[2]) else {
                throw TranscriptError(line: 0, message: "`image` needs PATH raw|qcow2 SIZE (e.g. `image disk.qcow2 qcow2 1M`)")
            }
            try checkRelative(parts[0])
            transcript.setup.files.append(WorkFile(path: parts[0], kind: .image(format: parts[1], bytes: size)))
        case "mkdir":
            try checkRelative(argument)
            transcript.setup.files.append(WorkFile(path: argument, kind: .directory))
        default: return false
        }
        return true
    }

    private static func step(_ directive: String, _ argument: String, source: SourceLine) throws(TranscriptError) -> Step {
        let args = words(argument)
        func optionalTimeout(at index: Int) throws(TranscriptError) -> Double? {
            args.count > index ? try seconds(args[index]) : nil
        }
        func noArguments() throws(TranscriptError) {
            guard args.isEmpty else { throw TranscriptError(line: 0, message: "`\(directive)` takes no argument") }
        }
        switch directive {
        case "send": return Step(.send(argument), source: source)
        case "send-raw":
            _ = try ByteEscapes.decode(argument)
            return Step(.sendRaw(argument), source: source)
        case "send-repeat":
            let (quoted, rest) = try singleQuoted(argument)
            return Step(.sendRepeat(quoted, count: try integer(rest, directive)), source: source)
        case "send-loop":
            let (range, text) = try loop(argument, directive)
            return Step(.sendLoop(range, text), source: source)
        case "send-file": return Step(.sendFile(argument), source: source)
        case "expect": return Step(.expect(.exact(argument)), source: source)
        case "expect-re": return Step(.expect(.regex(argument)), source: source)
        case "skip-until": return Step(.skipUntil(.exact(argument)), source: source)
        case "skip-until-re": return Step(.skipUntil(.regex(argument)), source: source)
        case "expect-loop":
            let (range, text) = try loop(argument, directive)
            return Step(.expectLoop(range, text), source: source)
        case "wait-r": return Step(.waitR, timeout: try optionalTimeout(at: 0), source: source)
        case "expect-no-r":
            try noArguments()
            return Step(.expectNoR, source: source)
        case "collect-results":
            guard let first = args.first else { throw TranscriptError(line: 0, message: "`collect-results` needs a count") }
            return Step(.collectResults(try integer(first, directive)), timeout: try optionalTimeout(at: 1), source: source)
        case "expect-eof": return Step(.expectEOF, timeout: try optionalTimeout(at: 0), source: source)
        case "expect-exit":
            guard let first = args.first, let code = Int32(first) else {
                throw TranscriptError(line: 0, message: "`expect-exit` needs an exit code")
            }
            return Step(.expectExit(code), timeout: try optionalTimeout(at: 1), source: source)
        case "expect-stderr": return Step(.expectStderr(.exact(argument)), source: source)
        case "expect-stderr-re": return Step(.expectStderr(.regex(argument)), source: source)
        case "expect-alive":
            try noArguments()
            return Step(.expectAlive, source: source)
        case "close-stdin":
            try noArguments()
            return Step(.closeStdin, source: source)
        case "stop-reading":
            try noArguments()
            return Step(.stopReading, source: source)
        case "resume-reading":
            try noArguments()
            return Step(.resumeReading, source: source)
        case "pause": return Step(.pause(milliseconds: try integer(argument, directive)), source: source)
        case "signal": return Step(.signal(try signalNumber(argument)), source: source)
        case "rss-below": return Step(.rssBelow(mebibytes: try integer(argument, directive)), source: source)
        case "step-timeout": return Step(.stepTimeout(try seconds(argument)), source: source)
        case "set":
            let (name, value) = splitDirective(argument)
            guard !name.isEmpty else { throw TranscriptError(line: 0, message: "`set` needs NAME VALUE") }
            return Step(.set(name, value), source: source)
        default:
            throw TranscriptError(line: 0, message: "unknown directive `\(directive)`")
        }
    }

    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private static func integer(_ text: String, _ directive: String) throws(TranscriptError) -> Int {
        guard let value = Int(text.trimmingBlanks()), value >= 0 else {
            throw TranscriptError(line: 0, message: "`\(directive)` needs a non-negative integer, got `\(text)`")
        }
        return value
    }

    private static func seconds(_ text: String) throws(TranscriptError) -> Double {
        guard let value = Double(text.trimmingBlanks()), value > 0 else {
            throw TranscriptError(line: 0, message: "expected a positive number of seconds, got `\(text)`")
        }
        return value
    }

    /// `512`, `64K`, `1M`, `1G`: bytes, binary multiples.
    private static func byteSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.last, let unit = units[last] {
            return Int(text.dropLast()).flatMap { $0 > 0 ? $0 * unit : nil }
        }
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// `FROM TO TEXT`: a counted loop with `${i}` in the text.
    private static func loop(_ argument: String, _ directive: String) throws(TranscriptError) -> (ClosedRange<Int>, String) {
        let (fromText, rest) = splitDirective(argument)
        let (toText, text) = splitDirective(rest)
        let from = try integer(fromText, directive)
        let to = try integer(toText, directive)
        guard from <= to else { throw TranscriptError(line: 0, message: "`\(directive)` range \(from)…\(to) is empty") }
        return (from...to, text)
    }

    /// `'escaped bytes' rest`: a `\'` inside the quotes is a quote byte.
    private static func singleQuoted(_ argument: String) throws(TranscriptError) -> (String, String) {
        guard argument.first == "'" else { throw TranscriptError(line: 0, message: "expected a quoted string, got `\(argument)`") }
        var body = ""
        var escaped = false
        var index = argument.index(after: argument.startIndex)
        while index < argument.endIndex {
            let character = argument[index]
            if escaped {
                body.append(character)
                escaped = false
            } else if character == "\\" {
                body.append(character)
                escaped = true
            } else if character == "'" {
                _ = try ByteEscapes.decode(body)
                return (body, String(argument[argument.index(after: index)...]))
            } else {
                body.append(character)
            }
            index = argument.index(after: index)
        }
        throw TranscriptError(line: 0, message: "unterminated quote in `\(argument)`")
    }

    private static func signalNumber(_ name: String) throws(TranscriptError) -> Int32 {
        switch name.uppercased().replacingPrefix("SIG") {
        case "TERM": return SIGTERM
        case "HUP": return SIGHUP
        case "QUIT": return SIGQUIT
        case "INT": return SIGINT
        case "KILL": return SIGKILL
        case "PIPE": return SIGPIPE
        default: throw TranscriptError(line: 0, message: "unknown signal `\(name)`")
        }
    }

    private static func checkRelative(_ path: String) throws(TranscriptError) {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw TranscriptError(line: 0, message: "work file `\(path)` must be a relative path inside the working directory")
        }
    }
}

extension String {
    func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
