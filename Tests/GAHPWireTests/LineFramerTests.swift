import GAHPWire
import Testing

@Suite struct LineFramerTests {
    private func lines(_ input: String, max: Int = LineFramer.defaultMaxLineBytes, chunk: Int = .max) -> [LineFramer.Line] {
        var framer = LineFramer(maxLineBytes: max)
        let bytes = Array(input.utf8)
        var out: [LineFramer.Line] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            framer.append(bytes[index..<end])
            while let line = framer.nextLine() { out.append(line) }
            index = end
        }
        return out
    }

    @Test func splitsOnLFAndDropsCR() {
        #expect(lines("VERSION\r\nRESULTS\nQUIT\r\n").map(\.text) == ["VERSION", "RESULTS", "QUIT"])
    }

    @Test func loneCRIsDroppedAnywhere() {
        #expect(lines("VER\rSION\n").map(\.text) == ["VERSION"])
    }

    @Test func escapedLFStaysInTheLine() {
        #expect(lines("A\\\nB\nC\n").map(\.text) == ["A\\\nB", "C"])
    }

    @Test func escapedCRIsKept() {
        #expect(lines("A\\\rB\n").map(\.text) == ["A\\\rB"])
    }

    @Test func doubleBackslashDoesNotEscapeTheNewline() {
        #expect(lines("A\\\\\nB\n").map(\.text) == ["A\\\\", "B"])
    }

    @Test func byteByByteGivesTheSameLines() {
        let input = "CLASSAD\r\nA = \"x\\\"y\"\r\nCLASSAD_END\r\n"
        #expect(lines(input, chunk: 1) == lines(input))
    }

    @Test func unfinishedLineIsPending() {
        var framer = LineFramer()
        framer.append(Array("VERSION\nRESU".utf8))
        #expect(framer.nextLine()?.text == "VERSION")
        #expect(framer.nextLine() == nil)
        #expect(framer.pendingByteCount == 4)
    }

    @Test func overlongLineIsCutAndFlagged() {
        let result = lines(String(repeating: "A", count: 100) + "\nOK\n", max: 10)
        #expect(result.count == 2)
        #expect(result[0].bytes.count == 10)
        #expect(result[0].truncated)
        #expect(result[1] == LineFramer.Line(bytes: Array("OK".utf8)))
    }

    @Test func invalidUTF8IsReplacedInText() {
        var framer = LineFramer()
        framer.append([0x41, 0xFF, 0x00, 0x42, 0x0A])
        let line = framer.nextLine()
        #expect(line?.bytes == [0x41, 0xFF, 0x00, 0x42])
        #expect(line?.text == "A\u{FFFD}\u{0}B")
    }
}
