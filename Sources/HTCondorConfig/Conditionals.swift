import FoundationEssentials

/// One `if` / `elif` / `else` / `endif` line.
enum ConditionalDirective: Equatable {
    case ifCondition(String)
    case elseIf(String)
    case otherwise
    case end

    /// Nil when the line is not a conditional. As in HTCondor, the keyword must be followed by
    /// white space or the end of the line (`if=3` is an assignment, `if = 3` a condition), and
    /// text after `else` or `endif` is ignored.
    init?(_ line: String) {
        let keyword = line.prefix { !$0.isWhitespace }.lowercased()
        let rest = line.dropFirst(keyword.count).trimmed
        switch keyword {
        case "if": self = .ifCondition(rest)
        case "elif": self = .elseIf(rest)
        case "else": self = .otherwise
        case "endif": self = .end
        default: return nil
        }
    }
}

/// Which lines of a file are live under its nested `if` blocks.
struct ConditionalStack {
    private struct Frame {
        let line: Int
        /// Whether the enclosing block is live; a dead block's branches are never evaluated.
        let enclosingActive: Bool
        /// Some branch of this block was taken already.
        var taken: Bool
        var active: Bool
        var sawElse = false
    }

    private var frames: [Frame] = []

    var isActive: Bool { frames.last?.active ?? true }
    /// The line of the innermost `if` still open.
    var unclosedLine: Int? { frames.last?.line }

    mutating func apply(
        _ directive: ConditionalDirective, line: Int, fail: (String) -> ConfigError,
        evaluate: (String) throws(ConfigError) -> Bool
    ) throws(ConfigError) {
        switch directive {
        case .ifCondition(let condition):
            let live = isActive
            let value = live ? try evaluate(condition) : false
            frames.append(Frame(line: line, enclosingActive: live, taken: value, active: value))
        case .elseIf(let condition):
            guard var frame = frames.popLast() else { throw fail("'elif' without a matching 'if'") }
            guard !frame.sawElse else { throw fail("'elif' after 'else'") }
            let value = frame.enclosingActive && !frame.taken ? try evaluate(condition) : false
            frame.active = value
            frame.taken = frame.taken || value
            frames.append(frame)
        case .otherwise:
            guard var frame = frames.popLast() else { throw fail("'else' without a matching 'if'") }
            guard !frame.sawElse else { throw fail("a second 'else' for one 'if'") }
            frame.active = frame.enclosingActive && !frame.taken
            frame.taken = true
            frame.sawElse = true
            frames.append(frame)
        case .end:
            guard frames.popLast() != nil else { throw fail("'endif' without a matching 'if'") }
        }
    }
}
