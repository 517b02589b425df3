import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small line editor for the interactive mode: insert and delete anywhere, Home/End,
/// word and line kills, history on the arrow keys, Tab completion of the first word.
///
/// Output that arrives while the admin types (a result completing) is printed above the
/// line being edited, which is then drawn again. Where the terminal cannot do raw mode
/// the editor reads whole lines and leaves editing to the terminal's canonical mode.
public final class LineEditor: Sendable {
    public enum Input: Equatable, Sendable {
        case line(String)
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    fileprivate struct State {
        var prompt: String
        var buffer: [Character] = []
        var cursor = 0
        var history: [String] = []
        /// Where Up/Down is in `history`; `history.count` is the line being typed.
        var recallIndex = 0
        var stash: [Character] = []
        /// A line is being edited on screen (false between Enter and the next prompt).
        var editing = false
    }

    private let input: Int32
    private let output: Int32
    public let isRaw: Bool
    private let completions: [String]
    private let state: Mutex<State>
    /// Bytes read but not yet used (the rest of a read that held several keys or lines).
    private let pending = Mutex<[UInt8]>([])

    public init(input: Int32, output: Int32, prompt: String, completions: [String], environment: [String: String]) {
        self.input = input
        self.output = output
        self.completions = completions
        self.state = Mutex(State(prompt: prompt))
        isRaw = Terminal.canEdit(input, environment: environment) && Terminal.enterRawMode(input)
    }

    /// The prompt of the next line (the console's changes inside a job ad).
    public func setPrompt(_ prompt: String) {
        state.withLock { $0.prompt = prompt }
    }

    /// Prints text (whole lines) without disturbing the line being typed.
    public func printAbove(_ text: String) {
        state.withLock { state in
            var out = state.editing && isRaw ? "\r\u{1B}[K" : ""
            out += text
            if state.editing && isRaw { out += Self.render(state) }
            write(out)
        }
    }

    /// Reads the next line. Called from one thread only.
    public func readLine() -> Input {
        guard isRaw else { return readCanonicalLine() }
        state.withLock { state in
            state.buffer = []
            state.cursor = 0
            state.recallIndex = state.history.count
            state.editing = true
            write(Self.render(state))
        }
        var utf8: [UInt8] = []
        while let byte = nextByte() {
            if !utf8.isEmpty || byte >= 0x80 {
                utf8.append(byte)
                if let character = Self.decode(utf8) {
                    utf8 = []
                    edit { $0.insert(character) }
                } else if utf8.count >= 4 {
                    utf8 = []
                }
                continue
            }
            switch byte {
            case 0x0D, 0x0A: return finishLine()
            case 0x04:  // Ctrl-D: end on an empty line, else delete under the cursor
                if state.withLock({ $0.buffer.isEmpty }) {
                    state.withLock { $0.editing = false }
                    write("\r\n")
                    return .end
                }
                edit { $0.deleteForward() }
            case 0x03:  // Ctrl-C: drop the line
                state.withLock { state in
                    write("^C\r\n")
                    state.buffer = []
                    state.cursor = 0
                    write(Self.render(state))
                }
            case 0x7F, 0x08: edit { $0.deleteBackward() }
            case 0x01: edit { $0.cursor = 0 }
            case 0x05: edit { $0.cursor = $0.buffer.count }
            case 0x02: edit { $0.cursor = max(0, $0.cursor - 1) }
            case 0x06: edit { $0.cursor = min($0.buffer.count, $0.cursor + 1) }
            case 0x0B: edit { $0.buffer.removeSubrange($0.cursor...) }
            case 0x15: edit { state in
                    state.buffer.removeSubrange(..<state.cursor)
                    state.cursor = 0
                }
            case 0x17: edit { $0.deleteWordBackward() }
            case 0x0C: edit { _ in self.write("\u{1B}[H\u{1B}[2J") }
            case 0x09: edit { $0.complete(from: self.completions) }
            case 0x10: edit { $0.recall(-1) }
            case 0x0E: edit { $0.recall(+1) }
            case 0x1B: escape()
            default:
                if byte >= 0x20 { edit { $0.insert(Character(Unicode.Scalar(byte))) } }
            }
        }
        state.withLock { $0.editing = false }
        return .end
    }

    // MARK: keys

    private func escape() {
        guard let introducer = nextByte(), introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return }
        var parameter: [UInt8] = []
        while let byte = nextByte() {
            if (0x30...0x3F).contains(byte) {
                parameter.append(byte)
                continue
            }
            switch (byte, parameter) {
            case (UInt8(ascii: "A"), _): edit { $0.recall(-1) }
            case (UInt8(ascii: "B"), _): edit { $0.recall(+1) }
            case (UInt8(ascii: "C"), _): edit { $0.cursor = min($0.buffer.count, $0.cursor + 1) }
            case (UInt8(ascii: "D"), _): edit { $0.cursor = max(0, $0.cursor - 1) }
            case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), [UInt8(ascii: "1")]), (UInt8(ascii: "~"), [UInt8(ascii: "7")]):
                edit { $0.cursor = 0 }
            case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), [UInt8(ascii: "4")]), (UInt8(ascii: "~"), [UInt8(ascii: "8")]):
                edit { $0.cursor = $0.buffer.count }
            case (UInt8(ascii: "~"), [UInt8(ascii: "3")]): edit { $0.deleteForward() }
            default: break
            }
            return
        }
    }

    private func edit(_ change: (inout State) -> Void) {
        state.withLock { state in
            change(&state)
            write(Self.render(state))
        }
    }

    private func finishLine() -> Input {
        let line = state.withLock { state -> String in
            state.editing = false
            let line = String(state.buffer)
            state.cursor = state.buffer.count
            write(Self.render(state) + "\r\n")
            if !line.allSatisfy(\.isWhitespace), state.history.last != line { state.history.append(line) }
            return line
        }
        return .line(line)
    }

    /// The prompt and the line, with the cursor put back where it belongs.
    private static func render(_ state: State) -> String {
        var out = "\r" + state.prompt + String(state.buffer) + "\u{1B}[K"
        let after = state.buffer.count - state.cursor
        if after > 0 { out += "\u{1B}[\(after)D" }
        return out
    }

    private static func decode(_ bytes: [UInt8]) -> Character? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), iterator.next() == nil else { return nil }
        return Character(scalar)
    }

    // MARK: I/O

    private func nextByte() -> UInt8? {
        if let byte = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return byte }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            pending.withLock { $0 = Array(buffer[1..<count]) }
            return buffer[0]
        }
    }

    /// Canonical mode: the terminal edits and echoes; we only split lines.
    private func readCanonicalLine() -> Input {
        let prompt = state.withLock { $0.prompt }
        if isatty(input) == 1 { write(prompt) }
        var line: [UInt8] = []
        while let byte = nextByte() {
            if byte == 0x0A { return .line(String(decoding: line.last == 0x0D ? line.dropLast() : line[...], as: UTF8.self)) }
            line.append(byte)
        }
        return line.isEmpty ? .end : .line(String(decoding: line, as: UTF8.self))
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

extension LineEditor.State {
    fileprivate mutating func insert(_ character: Character) {
        buffer.insert(character, at: cursor)
        cursor += 1
    }

    fileprivate mutating func deleteBackward() {
        guard cursor > 0 else { return }
        buffer.remove(at: cursor - 1)
        cursor -= 1
    }

    fileprivate mutating func deleteForward() {
        guard cursor < buffer.count else { return }
        buffer.remove(at: cursor)
    }

    fileprivate mutating func deleteWordBackward() {
        var start = cursor
        while start > 0, buffer[start - 1] == " " { start -= 1 }
        while start > 0, buffer[start - 1] != " " { start -= 1 }
        buffer.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Up (-1) and Down (+1) through the history; the line being typed is kept aside.
    fileprivate mutating func recall(_ step: Int) {
        let target = recallIndex + step
        guard target >= 0, target <= history.count, target != recallIndex else { return }
        if recallIndex == history.count { stash = buffer }
        recallIndex = target
        buffer = target == history.count ? stash : Array(history[target])
        cursor = buffer.count
    }

    /// Completes the first word when exactly one name (case-insensitively) starts with it.
    fileprivate mutating func complete(from names: [String]) {
        guard !buffer.contains(" "), cursor == buffer.count, !buffer.isEmpty else { return }
        let typed = String(buffer).uppercased()
        let matches = names.filter { $0.hasPrefix(typed) }
        guard matches.count == 1, let match = matches.first else { return }
        buffer = Array(match + " ")
        cursor = buffer.count
    }
}
