import GAHPServer
import GAHPWire
import VMCore

/// What the console remembers between the lines it sends and the replies it shows. Lives
/// in the console's mutex; every method runs under it.
struct ConsoleState: Sendable {
    var session: SessionBox?
    /// Lines sent whose immediate reply has not arrived, oldest first.
    var awaiting: [Sent] = []
    /// VM requests by request id, to name them when their results arrive.
    var requests: [Int: (name: String, target: String)] = [:]
    var nextRequestID = 1
    /// Result lines still to come in the RESULTS reply being shown.
    var resultLinesLeft = 0
    /// A RESULTS has been sent for an `R` and not answered yet.
    var collecting = false
    var greeted = false
    /// The admin is typing a job ad (between CLASSAD and CLASSAD_END).
    var inAd = false

    enum Translation {
        case local(String)
        case send([Outgoing])
    }

    enum Reaction {
        case show(String)
        case collectResults
        case nothing
    }

    // MARK: what the admin typed

    mutating func translate(_ typed: String, options: Console.Options) -> Translation {
        if inAd {
            let ends = typed.trimmingBlanks.uppercased() == "CLASSAD_END"
            if ends { inAd = false }
            return .send([Outgoing(line: ends ? "CLASSAD_END" : typed, sent: ends ? Sent(kind: .typed(words: ["CLASSAD_END"], entry: GAHPCommand.entry(named: "CLASSAD_END"))) : nil)])
        }
        let words = typed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return .send([]) }
        let name = first.uppercased()
        switch name {
        case "HELP", "?":
            return .local(words.count > 1 ? CommandHelp.detail(words[1]) : CommandHelp.overview)
        case "CLASSAD_FILE":
            guard words.count == 2 else { return .local("CLASSAD_FILE takes one path: CLASSAD_FILE <path>\n") }
            return adFile(words[1], options: options)
        default:
            break
        }
        guard let entry = GAHPCommand.entry(named: name) else {
            return .send([Outgoing(line: typed, sent: Sent(kind: .typed(words: words, entry: nil)))])
        }
        if entry.arity == 3 { return vmRequest(entry, words: words, options: options) }
        if entry.command == .classAd, words.count == 1 { inAd = true }
        // The rest of the line stays as typed (its GAHP escapes included); only the command is normalised.
        let line = entry.name + typed.trimmingBlanks.dropFirst(first.count)
        return .send([Outgoing(line: line, sent: Sent(kind: .typed(words: words, entry: entry)))])
    }

    /// Fills in what the admin may leave out: the request id, and START's VM type.
    private mutating func vmRequest(_ entry: GAHPCommand.Entry, words: [String], options: Console.Options) -> Translation {
        let isStart = entry.command == .vm(.start)
        var arguments = Array(words.dropFirst())
        if arguments.count == 2, let given = GAHPArguments.positiveDecimal(arguments[0]) {
            nextRequestID = max(nextRequestID, given + 1)
        } else if arguments.count < 2 {
            if arguments.isEmpty {
                guard isStart else {
                    return .local("\(entry.name) needs a VM id: \(entry.name) <vmid>   (HELP \(entry.name))\n")
                }
                arguments = [options.vmType]
            }
            arguments.insert(String(nextRequestID), at: 0)
            nextRequestID += 1
        }
        let line = ([entry.name] + arguments).joined(separator: " ")
        guard arguments.count == 2, let id = GAHPArguments.positiveDecimal(arguments[0]) else {
            return .send([Outgoing(line: line, sent: Sent(kind: .typed(words: [entry.name] + arguments, entry: entry)))])
        }
        requests[id] = (entry.name, arguments[1])
        return .send([Outgoing(line: line, sent: Sent(kind: .request(id: id, name: entry.name)))])
    }

    private func adFile(_ path: String, options: Console.Options) -> Translation {
        guard let bytes = options.readFile(path) else { return .local("Cannot read \(path).\n") }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.trimmingBlanks.isEmpty }
        return .send(
            [Outgoing(line: "CLASSAD", sent: Sent(kind: .adFile(path: path, lines: lines.count, end: false)))]
                + lines.map { Outgoing(line: $0, sent: nil) }
                + [Outgoing(line: "CLASSAD_END", sent: Sent(kind: .adFile(path: path, lines: lines.count, end: true)))])
    }

    // MARK: what the engine wrote

    mutating func take(_ line: String, console: Console) -> Reaction {
        if resultLinesLeft > 0 {
            resultLinesLeft -= 1
            return .show(result(line))
        }
        if line == "R" {
            guard !collecting else { return .nothing }
            collecting = true
            return .collectResults
        }
        if !greeted {
            greeted = true
            return .show("gahp: \(line)\n")
        }
        guard !awaiting.isEmpty else { return .show("gahp: \(line)\n") }
        let sent = awaiting.removeFirst()
        return reply(line, to: sent, options: console.options)
    }

    private mutating func reply(_ line: String, to sent: Sent, options: Console.Options) -> Reaction {
        let accepted = line == "S" || line.hasPrefix("S ")
        switch sent.kind {
        case .quiet:
            return .nothing
        case .autoResults:
            collecting = false
            resultLinesLeft = Int(line.dropFirst(2)) ?? 0
            return .nothing
        case .adFile(let path, let count, let end):
            guard end else { return accepted ? .nothing : .show("The gahp refused CLASSAD.\n") }
            return .show(accepted ? "Job ad from \(path) sent (\(count) lines). VM_START starts it.\n" : "The gahp refused the job ad from \(path).\n")
        case .request(let id, let name):
            if accepted { return .show("[\(id)] \(name) sent; its result prints when it completes.\n") }
            requests[id] = nil
            return .show("[\(id)] \(name) refused: " + refusal(of: name, id: id, options: options) + "\n")
        case .typed(let words, let entry):
            guard let entry else {
                return .show("Unknown command '\(words.first ?? "")'. HELP lists the commands.\n")
            }
            guard accepted else {
                let usage = CommandHelp.topic(entry.name).map { "\(entry.name) \($0.arguments)".trimmedRight } ?? entry.name
                let reason = words.count != entry.arity ? "wrong number of arguments" : refusal(of: entry.name, id: nil, options: options)
                return .show("\(entry.name) refused: \(reason). Usage: \(usage)\n")
            }
            return .show(acknowledgement(entry, line: line))
        }
    }

    private func acknowledgement(_ entry: GAHPCommand.Entry, line: String) -> String {
        let text = String(line.dropFirst(2))
        switch entry.command {
        case .version, .commands: return text + "\n"
        case .supportVMs: return "VM types served: \(text)\n"
        case .classAd: return "Type the job ad's lines, then CLASSAD_END.\n"
        case .classAdEnd: return "Job ad stored. VM_START starts it.\n"
        case .quit: return "Every VM of this session is destroyed. Bye.\n"
        case .results: return Int(text) == 0 ? "No results waiting.\n" : ""
        case .asyncModeOn, .asyncModeOff: return "OK\n"
        case .vm: return "OK\n"
        }
    }

    /// Why the engine answered `E` to a VM request whose shape was right.
    private func refusal(of name: String, id: Int?, options: Console.Options) -> String {
        if name.hasSuffix("START") {
            return "request id \(id.map(String.init) ?? "?") is still pending, or the VM type is not one of \(options.supportedTypes.joined(separator: ", "))"
        }
        return "request id \(id.map(String.init) ?? "?") is still pending, or the VM id is not a positive number"
    }

    /// One result line, in words.
    private mutating func result(_ line: String) -> String {
        let fields = GAHPArguments.split(line)
        guard fields.count >= 3, let id = Int(fields[0]) else { return "result: \(line)\n" }
        let request = requests.removeValue(forKey: id)
        let name = request?.name ?? "request"
        let target = request?.target ?? "?"
        let values = Array(fields.dropFirst(2))
        guard fields[1] == "0" else {
            let text = values.joined(separator: " ")
            guard let code = VMGAHPError.Code(rawValue: text) else { return "[\(id)] \(name) failed: \(text)\n" }
            var out = "[\(id)] \(name) failed: \(text)\n    \(code.explanation)\n"
            if name.hasSuffix("START") { out += "    In a real job, \(code.starterReaction).\n" }
            return out
        }
        switch name {
        case let start where start.hasSuffix("_START"):
            return "[\(id)] \(name): VM \(values[0]) started. VM_STATUS \(values[0]) shows its state.\n"
        case let status where status.hasSuffix("_STATUS"):
            let state = values.first { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) } ?? "?"
            let rest = values.filter { !$0.hasPrefix("STATUS=") }
            return "[\(id)] VM \(target) is \(state)" + (rest.isEmpty ? "" : " (\(rest.joined(separator: ", ")))") + "\n"
        case let pid where pid.hasSuffix("_GETPID"):
            return "[\(id)] VM \(target) runs as host process \(values[0])\n"
        default:
            return "[\(id)] \(name) of VM \(target): done\n"
        }
    }
}

extension StringProtocol {
    var trimmingBlanks: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
