/// Splits a command line into words the way a POSIX shell would for plain words and
/// quotes, without running a shell: blanks separate words, `'...'` is literal, `"..."`
/// honours `\"` and `\\`, and a backslash outside quotes escapes the next character.
/// Nothing else (variables, globs, redirections) is interpreted.
public enum ShellWords {
    public static func split(_ line: String) throws(TranscriptError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'":
                inWord = true
                while true {
                    guard let next = iterator.next() else { throw unterminated(line) }
                    if next == "'" { break }
                    current.append(next)
                }
            case "\"":
                inWord = true
                while true {
                    guard let next = iterator.next() else { throw unterminated(line) }
                    if next == "\"" { break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { throw unterminated(line) }
                        if escaped != "\"" && escaped != "\\" { current.append("\\") }
                        current.append(escaped)
                    } else {
                        current.append(next)
                    }
                }
            case "\\":
                inWord = true
                guard let escaped = iterator.next() else { throw unterminated(line) }
                current.append(escaped)
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    private static func unterminated(_ line: String) -> TranscriptError {
        TranscriptError(line: 0, message: "unterminated quote or escape in `\(line)`")
    }
}
