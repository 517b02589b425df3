import Foundation
import Testing

import ClassAd
import TestSupport

/// Every vector HTCondor's own library produced (Tests/Fixtures/classad/old-syntax-vectors.json)
/// must come out the same here: whether the line parses, the name, the value and its
/// type, and the old-syntax text.
@Suite struct VectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var json: JSON
        var testDescription: String { json["line"]?.string ?? "whole ad" }
    }

    static let vectors: [Vector] = {
        guard let data = try? Data(contentsOf: TestPaths.classAdVectors),
            let top = try? JSONDecoder().decode(JSON.self, from: data),
            case .array(let list)? = top["vectors"]
        else { return [] }
        return list.map(Vector.init)
    }()

    @Test func corpusIsPresent() {
        #expect(Self.vectors.count >= 60)
    }

    @Test(arguments: vectors.filter { $0.json["line"] != nil })
    func lineVector(_ vector: Vector) throws {
        let line = try #require(vector.json["line"]?.string)
        let (ad, errors) = ClassAd.parse(lines: [line])
        guard vector.json["parses"] == .bool(true) else {
            #expect(vector.json["parses"] == .bool(false))
            #expect(errors.map(\.line) == [line], "HTCondor rejects this line")
            #expect(ad.attributeNames.isEmpty)
            return
        }
        #expect(errors.isEmpty, "\(errors)")
        let name = try #require(vector.json["name"]?.string)
        #expect(ad.attributeNames == [name])
        #expect(ad.unparsedOld(name) == vector.json["unparsed_old"]?.string)
        try expectValue(ad.evaluate(name), matches: try #require(vector.json["value"]))
    }

    @Test func wholeAdVector() throws {
        let vector = try #require(Self.vectors.first { $0.json["ad"] != nil })
        guard case .array(let lineValues)? = vector.json["ad"], case .object(let evaluated)? = vector.json["evaluated"] else {
            Issue.record("the whole-ad vector has an unexpected shape")
            return
        }
        let (ad, errors) = ClassAd.parse(lines: lineValues.compactMap(\.string))
        #expect(errors.isEmpty)
        #expect(ad.attributeNames.count == lineValues.count)
        #expect(!evaluated.isEmpty)
        for (name, expected) in evaluated {
            try expectValue(ad.evaluate(name), matches: expected)
        }
    }

    private func expectValue(_ value: ClassAdValue, matches expected: JSON) throws {
        #expect(value.typeName == expected["type"]?.string)
        let expectedValue = expected["value"]
        switch value {
        case .integer(let i):
            #expect(expectedValue == .integer(Int64(i)))
        case .real(let r) where r.isFinite:
            switch expectedValue {
            case .number(let d)?: #expect(d == r)
            case .integer(let d)?: #expect(Double(d) == r)  // JSON may spell 1500.0 as 1500
            default: Issue.record("expected \(String(describing: expectedValue)), got \(r)")
            }
        case .real(let r):
            #expect(expectedValue?.string == (r.isNaN ? "NaN" : r > 0 ? "INF" : "-INF"))
        case .string(let s):
            #expect(expectedValue == .string(s))
        case .boolean(let b):
            #expect(expectedValue == .bool(b))
        case .list(let items):
            guard case .array(let list)? = expectedValue else {
                Issue.record("expected a list")
                return
            }
            #expect(list.count == items.count)
            for (item, expectedItem) in zip(items, list) {
                try expectValue(item, matches: expectedItem)
            }
        case .classAd(let ad):
            // HTCondor's pretty-printed form: "[ a = 1; b = x + 1 ]" laid out on lines.
            let old = try #require(expected["old"]?.string)
            let body = old.filter { $0 != "[" && $0 != "]" }
            let expectedLines = body.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(ad.oldSyntaxLines == expectedLines)
        case .undefined, .error:
            #expect(expectedValue == nil)
        }
    }
}
