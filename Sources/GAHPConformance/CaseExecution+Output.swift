import Foundation

/// Reading the gahp's stdout: `R` bookkeeping, expectations and result collection.
extension CaseExecution {
    enum Next {
        case line(LineCollector.Line)
        case eof
        case timedOut
    }

    /// The next line from the gahp, with the monitor told; `R` lines are counted, not returned.
    func readLine(until deadline: Date, keepR: Bool) throws -> Next {
        guard let process else { return .eof }
        while true {
            switch process.stdout.next(until: deadline) {
            case .eof: return .eof
            case .timedOut: return .timedOut
            case .line(let line):
                monitor.received(line)
                if line.bytes == [UInt8(ascii: "R")] && !line.unterminated {
                    pendingR += 1
                    if keepR { return .line(line) }
                    continue
                }
                return .line(line)
            }
        }
    }

    func nextLine(until deadline: Date) throws -> Next {
        if !queued.isEmpty { return .line(queued.removeFirst()) }
        return try readLine(until: deadline, keepR: false)
    }

    func describe(_ next: Next) -> String {
        switch next {
        case .line(let line):
            let text = line.text
            return text.count > 200 ? "`\(text.prefix(200))…` (\(line.bytes.count) bytes)" : "`\(text)`"
        case .eof: return "EOF"
        case .timedOut: return "nothing (timeout)"
        }
    }

    func expectLine(_ pattern: LinePattern, at: SourceLine, until deadline: Date, label: String = "") throws {
        let next = try nextLine(until: deadline)
        guard case .line(let line) = next, let captures = try pattern.match(line.text, variables: variables) else {
            throw Failure(message: "\(at): \(label)expected \(pattern.expanded(variables)), got \(describe(next))")
        }
        variables.merge(captures)
    }

    func expectUnordered(_ patterns: [LinePattern], at: SourceLine, until deadline: Date) throws {
        var lines: [String] = []
        for _ in patterns {
            let next = try nextLine(until: deadline)
            guard case .line(let line) = next else {
                throw Failure(message: "\(at): expected \(patterns.count) lines in any order, got \(describe(next)) after \(lines)")
            }
            lines.append(line.text)
        }
        guard let captures = try assign(patterns[...], to: lines) else {
            throw Failure(message: "\(at): expected lines matching \(patterns.map(\.description).joined(separator: ", ")) in any order, got \(lines.map { "`\($0)`" }.joined(separator: ", "))")
        }
        variables.merge(captures)
    }

    /// Finds a one-to-one matching of patterns to lines (backtracking; groups are small).
    func assign(_ patterns: ArraySlice<LinePattern>, to lines: [String]) throws -> [String: String]? {
        guard let pattern = patterns.first else { return [:] }
        for (index, line) in lines.enumerated() {
            guard let captures = try pattern.match(line, variables: variables) else { continue }
            var rest = lines
            rest.remove(at: index)
            if let more = try assign(patterns.dropFirst(), to: rest) {
                return captures.merging(more) { first, _ in first }
            }
        }
        return nil
    }

    func waitForR(at: SourceLine, until deadline: Date) throws {
        while pendingR == 0 {
            let next = try readLine(until: deadline, keepR: true)
            switch next {
            case .line(let line) where line.bytes == [UInt8(ascii: "R")]:
                break
            case .line(let line):
                queued.append(line)
            case .eof, .timedOut:
                throw Failure(message: "\(at): expected `R`, got \(describe(next))")
            }
        }
        pendingR -= 1
    }

    /// Sends RESULTS after each `R` (or every 20 ms when async mode is off) until `count`
    /// result lines arrived; they are queued for the following expectations, oldest first.
    func collectResults(_ count: Int, at: SourceLine, until deadline: Date) throws {
        guard queued.isEmpty else {
            throw Failure(message: "\(at): unmatched line `\(queued[0].text)` before collect-results")
        }
        var results: [LineCollector.Line] = []
        while results.count < count {
            if monitor.isAsync {
                try waitForR(at: at, until: deadline)
            } else if Date() >= deadline {
                throw Failure(message: "\(at): expected \(count) results, got \(results.count) (timeout)")
            }
            send(Array("RESULTS\n".utf8))
            let reply = try nextLine(until: deadline)
            guard case .line(let line) = reply, line.text.hasPrefix("S "), let n = Int(line.text.dropFirst(2)), n >= 0 else {
                throw Failure(message: "\(at): expected `S <n>` after RESULTS, got \(describe(reply))")
            }
            for _ in 0..<n {
                let next = try nextLine(until: deadline)
                guard case .line(let result) = next else {
                    throw Failure(message: "\(at): expected a result line, got \(describe(next))")
                }
                results.append(result)
            }
            if n == 0 && monitor.isAsync {
                throw Failure(message: "\(at): an `R` was followed by `S 0`")
            }
            if n == 0 { Thread.sleep(forTimeInterval: 0.02) }
        }
        if results.count > count {
            throw Failure(message: "\(at): expected \(count) results, got \(results.count): \(results.map { "`\($0.text)`" }.joined(separator: ", "))")
        }
        queued = results
    }
}
