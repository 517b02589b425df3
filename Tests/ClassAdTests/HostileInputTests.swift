import Testing
import TestSupport

@testable import ClassAd

/// The gahp reads job ads that users control, as root: no input may crash it.
@Suite struct HostileInputTests {
    @Test func megabyteStringValue() {
        let big = String(repeating: "x\\y", count: 350_000)
        let (ad, errors) = ClassAd.parse(lines: ["Big = \"\(big)\""])
        #expect(errors.isEmpty)
        #expect(ad.string("Big")?.utf8.count == big.utf8.count)
        #expect(ad.unparsedOld("Big")?.utf8.count == big.utf8.count + 8)
        #expect(rejects("Big = \"\(big)"))  // unterminated
    }

    @Test func nulBytesAreRefused() {
        #expect(rejects("A = \"a\u{0}b\""))
        #expect(rejects("A = 1\u{0}"))
        #expect(rejects("A\u{0} = 1"))
        var ad = ClassAd()
        #expect(throws: ClassAdParseError.self) { try ad.insert(lineBytes: Array("A = \"x\0\"".utf8)) }
    }

    @Test func invalidUTF8IsRefusedFromBytesAndHarmlessFromStrings() {
        let bytes: [UInt8] = Array("A = \"".utf8) + [0xFF, 0xC3, 0x28] + Array("\"".utf8)
        let (ad, errors) = ClassAd.parse(lineBytes: [bytes, Array("B = 2".utf8)])
        #expect(errors.count == 1)
        #expect(errors.first?.line.hasPrefix("A = ") == true)
        #expect(ad.attributeNames == ["B"])
        // Decoded by the caller (replacement characters), it is just a string.
        let (decoded, decodedErrors) = ClassAd.parse(lines: [String(decoding: bytes, as: UTF8.self)])
        #expect(decodedErrors.isEmpty)
        #expect(decoded.string("A") == "\u{FFFD}\u{FFFD}(")
        // Outside a string, non-ASCII bytes are a syntax error.
        #expect(rejects("A = é"))
        #expect(rejects("A = \u{7F}"))
    }

    @Test func deepNestingIsAParseErrorNotAStackOverflow() {
        for opener in ["(", "{", "[a=", "-", "!", "f(", "x[", "a?b:"] {
            let depth = 10_000
            let line = "A = " + String(repeating: opener, count: depth) + "1"
            #expect(rejects(line), "\(opener)")
        }
        #expect(rejects("A = " + String(repeating: "1+", count: 100_000) + "1"))
        #expect(rejects("A = " + String(repeating: "x.", count: 100_000) + "x"))
        #expect(rejects("A = " + String(repeating: "(", count: 100_000)))
        #expect(rejects("A = " + String(repeating: ")", count: 100_000)))
    }

    @Test func nestingUpToTheLimitWorks() {
        let depth = Parser.maximumDepth - 1
        let line = "A = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        let (ad, errors) = ClassAd.parse(lines: [line])
        #expect(errors.isEmpty)
        #expect(ad.integer("A") == 1)
        #expect(ad.unparsedOld("A") == line)
        #expect(rejects("A = (" + line.dropFirst(4) + ")"))
        let chain = "A = " + String(repeating: "1+", count: depth - 1) + "1"
        #expect(ClassAd.parse(lines: [chain]).ad.integer("A") == depth)
        // Every kind of nesting, as deep as allowed: parsed, evaluated, written back.
        let shapes: [(expression: String, type: String)] = [
            (String(repeating: "- ", count: depth - 1) + "1", "integer"),
            (String(repeating: "{", count: depth - 1) + "1" + String(repeating: "}", count: depth - 1), "list"),
            (String(repeating: "[a=", count: depth - 1) + "1" + String(repeating: "]", count: depth - 1), "classad"),
            (String(repeating: "strcat(", count: depth - 1) + "\"x\"" + String(repeating: ")", count: depth - 1), "string"),
            (String(repeating: "true?", count: depth - 2) + "1" + String(repeating: ":2", count: depth - 2), "integer"),
        ]
        for shape in shapes {
            let (shaped, shapeErrors) = ClassAd.parse(lines: ["A = " + shape.expression])
            #expect(shapeErrors.isEmpty)
            #expect(shaped.evaluate("A").typeName == shape.type)
            #expect(shaped.unparsedOld("A") != nil)
        }
    }

    @Test func overflowingLiterals() throws {
        #expect(try value("18446744073709551616") == .integer(.max))
        #expect(try value(String(repeating: "9", count: 10_000)) == .integer(.max))
        #expect(try value("-" + String(repeating: "9", count: 10_000)) == .integer(.min))
        #expect(try value("1" + String(repeating: "0", count: 10_000) + ".0") == .real(.infinity))
        #expect(try value("1e99999999999999999999") == .real(.infinity))
        #expect(try value("9223372036854775807 + 9223372036854775807") == .integer(-2))
    }

    @Test func garbageNeverCrashes() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("()[]{}\"'\\.,;:?!=<>&|^~+-*/%0123456789eE aZ_xis\t\r\n".utf8) + [0, 0xFF, 0xC3]
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 60)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let (ad, _) = ClassAd.parse(lineBytes: [Array("A = ".utf8) + bytes])
            for name in ad.attributeNames {
                _ = ad.evaluate(name)
                _ = ad.unparsedOld(name)
            }
        }
    }
}

/// Ads built so that naive evaluation does exponential work or builds exponentially large
/// values ("billion laughs"): each must finish quickly.
@Suite struct ExponentialAdTests {
    private func doubling(_ step: String, levels: Int = 80) -> ClassAd {
        var lines = ["A0 = \"ab\""]
        for i in 1...levels { lines.append("A\(i) = " + step.replacingOccurrences(of: "X", with: "A\(i - 1)")) }
        let (ad, errors) = ClassAd.parse(lines: lines)
        #expect(errors.isEmpty)
        return ad
    }

    @Test func sharedReferencesAreEvaluatedOnce() {
        let ad = doubling("size(X) + size(X) > 0 ? X : X")
        #expect(ad.string("A80") == "ab")
        let nested = try? ClassAd().evaluate(expression: "[a0 = 1; a1 = a0 + a0; a2 = a1 + a1; a3 = a2 + a2; a4 = a3 + a3].a4")
        #expect(nested == .integer(16))
    }

    @Test func exponentialNestedAdWorkRunsOutOfBudget() throws {
        var text = "[a0 = 1"
        for i in 1...60 { text += "; a\(i) = a\(i - 1) + a\(i - 1)" }
        text += "].a60"
        #expect(try ClassAd().evaluate(expression: text) == .error)
    }

    @Test func exponentialStringsAreCut() {
        let ad = doubling("strcat(X, X)")
        #expect(ad.evaluate("A80") == .error)
        #expect(ad.string("A10")?.utf8.count == 2048)
    }

    @Test func exponentialListsStayCheap() throws {
        let ad = doubling("{ X, X }")
        guard case .list(let items) = ad.evaluate("A80") else {
            Issue.record("not a list")
            return
        }
        #expect(items.count == 2)
        #expect(try value("A80 =?= A80", in: ad) == .error)  // too large to compare
        #expect(try value("strcat(A80)", in: ad) == .error)  // too large to write
        #expect(try value("A3 =?= A3", in: ad) == .boolean(true))
        #expect(try value("size(A80[0][1][0])", in: ad) == .integer(2))
        #expect(ad.evaluate("A80").nodeCount(upTo: 1000) == 1001)
        #expect(ad.evaluate("A2").nodeCount(upTo: 1000) == 7)
        #expect(ad.evaluate("A0").nodeCount(upTo: 0) == 1)
        let text = ad.evaluate("A80").oldSyntax
        #expect(text.hasSuffix("..."))
        #expect(text.utf8.count <= ClassAdValue.oldSyntaxLimit + 100)
        #expect(ad.evaluate("A2").oldSyntax == #"{ { "ab","ab" },{ "ab","ab" } }"#)
    }
}
