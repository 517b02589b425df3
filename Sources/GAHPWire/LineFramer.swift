/// Splits the byte stream from the starter into protocol lines.
///
/// The rules are HTCondor's (`PBuffer::GetNextLine`): a line ends at an unescaped LF, an
/// unescaped CR is dropped wherever it appears, and a backslash makes the next byte
/// literal, so an escaped LF stays inside the line. Backslashes are kept: command lines
/// are unescaped by `GAHPArguments`, while ClassAd lines inside a `CLASSAD` block are
/// used raw. Lines longer than `maxLineBytes` are cut there and flagged, so a hostile
/// peer cannot make the gahp buffer without bound.
public struct LineFramer: Sendable {
    public struct Line: Sendable, Equatable {
        /// The line without its terminating LF and without unescaped CRs.
        public var bytes: [UInt8]
        /// The line was longer than the limit; `bytes` holds its beginning only.
        public var truncated: Bool

        public init(bytes: [UInt8], truncated: Bool = false) {
            self.bytes = bytes
            self.truncated = truncated
        }

        /// The bytes as text; invalid UTF-8 becomes U+FFFD.
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public static let defaultMaxLineBytes = 4 * 1024 * 1024

    public let maxLineBytes: Int
    private var current: [UInt8] = []
    private var escaped = false
    private var overflowed = false
    private var ready: [Line] = []
    private var readyIndex = 0

    public init(maxLineBytes: Int = LineFramer.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes read from the peer.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if escaped {
                escaped = false
                store(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "\\"):
                escaped = true
                store(byte)
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\n"):
                ready.append(Line(bytes: current, truncated: overflowed))
                current = []
                overflowed = false
            default:
                store(byte)
            }
        }
    }

    /// The next complete line, if any.
    public mutating func nextLine() -> Line? {
        guard readyIndex < ready.count else { return nil }
        let line = ready[readyIndex]
        readyIndex += 1
        if readyIndex == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
        }
        return line
    }

    /// Bytes of an unfinished line (end of input arrived in the middle of it).
    public var pendingByteCount: Int { current.count }

    private mutating func store(_ byte: UInt8) {
        if current.count < maxLineBytes {
            current.append(byte)
        } else {
            overflowed = true
        }
    }
}
