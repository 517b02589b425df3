/// A line of a ClassAd that could not be read, returned to the caller rather than
/// thrown from the whole ad so that one bad attribute does not lose the others.
public struct ClassAdParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line as received (invalid UTF-8 shown with replacement characters).
    public var line: String
    public var message: String

    public init(line: String, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "\(message): \(line)" }
}

/// A ClassAd: named expressions, looked up case-insensitively, evaluated on demand.
///
/// Attributes keep the spelling and order in which they first arrived, because the ad is
/// written back out (to scripts, logs) and should read like the one HTCondor sent.
public struct ClassAd: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var expression: Expression
    }

    private(set) var entries: [Entry] = []
    /// Lower-cased name -> position in `entries`.
    private var positions: [String: Int] = [:]

    public init() {}

    /// Parses `Name = expr` lines; bad lines are returned, not thrown.
    public static func parse(lines: some Sequence<String>) -> (ad: ClassAd, errors: [ClassAdParseError]) {
        var ad = ClassAd()
        var errors: [ClassAdParseError] = []
        for line in lines {
            do throws(ClassAdParseError) { try ad.insert(line: line) } catch { errors.append(error) }
        }
        return (ad, errors)
    }

    /// `parse(lines:)` for raw lines straight from a pipe, which may hold any bytes.
    public static func parse(lineBytes lines: some Sequence<[UInt8]>) -> (ad: ClassAd, errors: [ClassAdParseError]) {
        var ad = ClassAd()
        var errors: [ClassAdParseError] = []
        for line in lines {
            do throws(ClassAdParseError) { try ad.insert(lineBytes: line) } catch { errors.append(error) }
        }
        return (ad, errors)
    }

    /// Adds (or replaces) one attribute from a `Name = expr` line. A replaced attribute
    /// keeps its first spelling and position, as in HTCondor.
    public mutating func insert(line: String) throws(ClassAdParseError) {
        try insert(bytes: Array(line.utf8), text: line)
    }

    /// `insert(line:)` for raw bytes; a line that is not valid UTF-8 is refused.
    public mutating func insert(lineBytes: [UInt8]) throws(ClassAdParseError) {
        guard let text = String(validating: lineBytes, as: UTF8.self) else {
            throw ClassAdParseError(line: String(decoding: lineBytes, as: UTF8.self), message: "line is not valid UTF-8")
        }
        try insert(bytes: lineBytes, text: text)
    }

    private mutating func insert(bytes: [UInt8], text: String) throws(ClassAdParseError) {
        do throws(SyntaxError) {
            let (name, expression) = try AdLine.parse(bytes)
            set(name, expression)
        } catch {
            throw ClassAdParseError(line: text, message: error.message)
        }
    }

    /// Sets an attribute to a value (a literal), e.g. to point a test ad's paths at a
    /// temporary directory without composing old-syntax text by hand.
    public mutating func set(_ name: String, to value: ClassAdValue) {
        set(name, Expression(value))
    }

    /// Removes an attribute (case-insensitive); absent names are ignored.
    public mutating func remove(_ name: String) {
        guard let position = positions.removeValue(forKey: name.lowercased()) else { return }
        entries.remove(at: position)
        for (key, index) in positions where index > position { positions[key] = index - 1 }
    }

    mutating func set(_ name: String, _ expression: Expression) {
        let key = name.lowercased()
        if let position = positions[key] {
            entries[position].expression = expression
        } else {
            positions[key] = entries.count
            entries.append(Entry(name: name, expression: expression))
        }
    }

    func expression(_ name: String) -> Expression? {
        positions[name.lowercased()].map { entries[$0].expression }
    }

    /// Whether the ad has the attribute (case-insensitive), whatever its value.
    public func contains(_ name: String) -> Bool {
        positions[name.lowercased()] != nil
    }

    /// The attribute's value; `.undefined` if absent.
    public func evaluate(_ name: String) -> ClassAdValue {
        var evaluator = Evaluator(root: self)
        return evaluator.evaluateAttribute(name)
    }

    /// Evaluates an expression (old syntax) in the context of this ad.
    public func evaluate(expression text: String) throws(ClassAdParseError) -> ClassAdValue {
        let expression: Expression
        do throws(SyntaxError) {
            expression = try AdLine.parseExpression(Array(text.utf8))
        } catch {
            throw ClassAdParseError(line: text, message: error.message)
        }
        var evaluator = Evaluator(root: self)
        return evaluator.evaluate(expression)
    }

    /// Original spelling, insertion order.
    public var attributeNames: [String] { entries.map(\.name) }

    /// `Name = <old-syntax expr>` as HTCondor would write the attribute; `nil` if absent.
    public func unparsedOld(_ name: String) -> String? {
        guard let position = positions[name.lowercased()] else { return nil }
        return Self.line(entries[position])
    }

    /// The attribute's expression alone in old syntax (what follows `Name = `); `nil` if
    /// absent.
    public func unparsedOldExpression(_ name: String) -> String? {
        guard let position = positions[name.lowercased()] else { return nil }
        var out = ""
        OldSyntaxWriter.write(entries[position].expression, into: &out)
        return out
    }

    /// Every attribute as an old-syntax line, in order: the ad as HTCondor would send it.
    public var oldSyntaxLines: [String] { entries.map(Self.line) }

    private static func line(_ entry: Entry) -> String {
        var out = ""
        OldSyntaxWriter.writeName(entry.name, into: &out)
        out += " = "
        OldSyntaxWriter.write(entry.expression, into: &out)
        return out
    }

    /// The evaluated value, only if it is a string.
    public func string(_ name: String) -> String? {
        if case .string(let s) = evaluate(name) { return s }
        return nil
    }

    /// The evaluated value, only if it is an integer (a real is not converted).
    public func integer(_ name: String) -> Int? {
        if case .integer(let i) = evaluate(name) { return i }
        return nil
    }

    /// The evaluated value, only if it is a boolean.
    public func boolean(_ name: String) -> Bool? {
        if case .boolean(let b) = evaluate(name) { return b }
        return nil
    }
}
