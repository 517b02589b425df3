import Foundation

/// Carrying out one step of a transcript.
extension CaseExecution {
    func perform(_ step: Step) throws {
        let process = try running()
        let at = step.source
        switch step.action {
        case .send(let text):
            send(Array(try variables.expand(text).utf8) + [0x0A])
        case .sendRaw(let text):
            send(try ByteEscapes.decode(variables.expand(text)))
        case .sendRepeat(let text, let count):
            let unit = try ByteEscapes.decode(variables.expand(text))
            var bytes: [UInt8] = []
            bytes.reserveCapacity(unit.count * count)
            for _ in 0..<count { bytes += unit }
            send(bytes)
        case .sendLoop(let range, let text):
            var bytes: [UInt8] = []
            for i in range { bytes += Array(try expand(text, i: i).utf8) + [0x0A] }
            send(bytes)
        case .sendFile(let path):
            let full = path.hasPrefix("/") ? path : casesRoot + "/" + path
            guard let contents = try? String(contentsOfFile: full, encoding: .utf8) else {
                throw Failure(message: "\(at): cannot read \(full)")
            }
            var bytes: [UInt8] = []
            for line in contents.split(separator: "\n", omittingEmptySubsequences: true) {
                bytes += Array(try variables.expand(String(line)).utf8) + [0x0A]
            }
            send(bytes)
        case .expect(let pattern):
            try expectLine(pattern, at: at, until: deadline(for: step))
        case .skipUntil(let pattern):
            let deadline = try deadline(for: step)
            var skipped = 0
            while true {
                let next = try nextLine(until: deadline)
                guard case .line(let line) = next else {
                    throw Failure(message: "\(at): expected a line \(pattern) after \(skipped) others, got \(describe(next))")
                }
                if let captures = try pattern.match(line.text, variables: variables) {
                    variables.merge(captures)
                    break
                }
                skipped += 1
            }
        case .expectLoop(let range, let text):
            let deadline = try deadline(for: step)
            for i in range {
                try expectLine(.exact(try expand(text, i: i)), at: at, until: deadline, label: "(i=\(i)) ")
            }
        case .unordered(let patterns):
            try expectUnordered(patterns, at: at, until: deadline(for: step))
        case .waitR:
            try waitForR(at: at, until: deadline(for: step))
        case .expectNoR:
            let arrived = process.stdout.remaining().filter { $0.bytes == [UInt8(ascii: "R")] }.count
            if pendingR + arrived > 0 { throw Failure(message: "\(at): expected no `R`, got \(pendingR + arrived)") }
        case .collectResults(let count):
            try collectResults(count, at: at, until: deadline(for: step))
        case .expectEOF:
            switch try nextLine(until: deadline(for: step)) {
            case .eof: break
            case .line(let line): throw Failure(message: "\(at): expected EOF, got `\(line.text.prefix(200))`")
            case .timedOut: throw Failure(message: "\(at): expected EOF, got nothing (timeout)")
            }
        case .expectExit(let code):
            let termination = process.waitForExit(until: try deadline(for: step))
            guard termination == .exited(code) else {
                throw Failure(message: "\(at): expected exit \(code), got \(termination.map(\.description) ?? "still running (timeout)")")
            }
        case .expectStderr(let pattern):
            guard process.stderr.waitForEOF(until: try deadline(for: step)) else {
                throw Failure(message: "\(at): stderr still open (timeout)")
            }
            let lines = process.stderr.all().map(\.text)
            guard try lines.contains(where: { try pattern.match($0, variables: variables) != nil }) else {
                throw Failure(message: "\(at): expected a stderr line \(pattern), got \(lines.isEmpty ? "no stderr" : "`\(lines.joined(separator: " | ").prefix(300))`")")
            }
        case .expectAlive:
            guard process.isRunning else {
                throw Failure(message: "\(at): expected the gahp running, got \(process.waitForExit(until: Date())?.description ?? "?")")
            }
        case .closeStdin:
            process.stdin.closeAfterQueue()
        case .stopReading:
            process.stdout.setPaused(true)
        case .resumeReading:
            process.stdout.setPaused(false)
        case .pause(let milliseconds):
            Thread.sleep(forTimeInterval: Double(milliseconds) / 1000 * options.timeoutScale)
        case .signal(let signal):
            signalsSent.insert(signal)
            process.send(signal: signal)
        case .rssBelow(let mebibytes):
            guard let kib = process.peakResidentKiB() else {
                throw Failure(message: "\(at): cannot read the gahp's memory use (not running?)")
            }
            guard kib < mebibytes * 1024 else {
                throw Failure(message: "\(at): expected peak RSS below \(mebibytes) MiB, got \(kib / 1024) MiB")
            }
        case .stepTimeout(let seconds):
            stepTimeout = seconds * options.timeoutScale
        case .set(let name, let value):
            variables[name] = try variables.expand(value)
        }
    }

    func expand(_ text: String, i: Int) throws -> String {
        var scoped = variables
        scoped["i"] = String(i)
        return try scoped.expand(text)
    }

    func send(_ bytes: [UInt8]) {
        monitor.sent(bytes)
        process?.stdin.send(bytes)
    }
}
