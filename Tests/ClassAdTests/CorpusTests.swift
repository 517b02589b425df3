import Testing

@testable import ClassAd

@Suite struct CorpusTests {
    static let jobAds = (try? Corpus.jobAds()) ?? []
    static let vectorLines = VectorTests.vectors.compactMap { $0.json["line"]?.string }

    @Test func corpusIsPresent() {
        #expect(Self.jobAds.count >= 10)
    }

    @Test(arguments: jobAds.map(\.name))
    func everyJobAdParsesCleanly(_ name: String) throws {
        let lines = try #require(Self.jobAds.first { $0.name == name }).lines
        let (ad, errors) = ClassAd.parse(lines: lines)
        #expect(errors.isEmpty, "\(errors)")
        #expect(ad.attributeNames.count == Set(lines.map { $0.prefix { $0 != " " }.lowercased() }).count)
        #expect(ad.string("VM_WORKING_DIR") == "/var/lib/condor/execute/dir_4242")
        let memory = try #require(ad.integer("JobVMMemory"))
        #expect(ad.integer("RequestMemory") == memory)  // RequestMemory = MY.JobVMMemory
        #expect(ad.integer("ClusterId") == 4242)
        #expect(ad.string("JobVMType") != nil)
        // The starter's lines are HTCondor's own unparser output: they come back verbatim.
        #expect(ad.oldSyntaxLines == lines)
        // Requirements test the machine (TARGET), which a job ad alone does not have:
        // `TARGET.HasVM =?= true` is false, so the whole conjunction is.
        #expect(ad.evaluate("Requirements") == .boolean(false))
    }

    /// parse -> unparse -> parse -> unparse gives the same text twice.
    @Test(arguments: jobAds.flatMap(\.lines) + vectorLines + extraRoundTripLines)
    func roundTripIsIdempotent(_ line: String) throws {
        let (first, errors) = ClassAd.parse(lines: [line])
        guard errors.isEmpty else { return }  // lines HTCondor rejects too (checked elsewhere)
        let once = first.oldSyntaxLines
        let (second, secondErrors) = ClassAd.parse(lines: once)
        #expect(secondErrors.isEmpty)
        let twice = second.oldSyntaxLines
        let (third, _) = ClassAd.parse(lines: twice)
        #expect(third.oldSyntaxLines == twice)
        if !once.contains(where: Self.hasUnaryMinusOnNumber) {
            #expect(twice == once)
        }
        let name = try #require(first.attributeNames.first)
        #expect(sameValue(first.evaluate(name), second.evaluate(name)))
    }

    /// The one way HTCondor's own old-syntax text does not round-trip: a unary minus in
    /// front of a number is written as ` -5`, which reads back as the literal `-5`. The
    /// value is the same; the text settles after one more round.
    @Test func unaryMinusOnANumberSettlesAfterOneRound() {
        #expect(unparsed("A = - 5") == "A =  -5")
        #expect(unparsed("A =  -5") == "A = -5")
        #expect(unparsed("A = 3 * - 5") == "A = 3 *  -5")
        #expect(unparsed("A = 3 *  -5") == "A = 3 * -5")
    }

    /// `  -5`: HTCondor's spelling of a unary minus applied to a number (see below).
    static func hasUnaryMinusOnNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.indices.dropLast(2).contains { i in
            bytes[i] == UInt8(ascii: " ") && bytes[i + 1] == UInt8(ascii: "-")
                && (Lexer.isDigit(bytes[i + 2]) || bytes[i + 2] == UInt8(ascii: "."))
                && (i == 0 || bytes[i - 1] == UInt8(ascii: " "))
        }
    }

    static let extraRoundTripLines = [
        #"A = "\S \r (\l)""#,
        #"A = "C:\""#,
        #"A = "say \"hi\" now""#,
        #"A = [ a = { 1,"x",[ b = 2 ] }; c = a[2].b ]"#,
        "A = x ? y : z ?: w",
        "A = !(a && b) || ~c",
        "A = - x - - 1",
        "A = 1.5E+300 * 2.0E-300",
        #"A = strcat("a",MY.b,TARGET.c)"#,
        "A = 'odd name' + .absolute",
    ]

    private func sameValue(_ a: ClassAdValue, _ b: ClassAdValue) -> Bool {
        if case .real(let x) = a, case .real(let y) = b, x.isNaN, y.isNaN { return true }
        return a == b
    }
}
