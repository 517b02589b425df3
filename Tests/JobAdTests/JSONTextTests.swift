import Foundation
import Testing
@testable import JobAd

@Suite struct JSONTextTests {
    @Test func anyStringEncodesToValidJSON() throws {
        let hostile = "quote\" backslash\\ nul\0 nl\n cr\r tab\t esc\u{1b} del\u{7f} c1\u{85} ls\u{2028} <&'> ünï 😀 \u{FFFD}"
        let text = JSONText.object([("s", .string(hostile)), ("n", .double(.nan)), ("i", .double(.infinity)), ("a", .array([.null, .bool(true), .int(-3), .double(1.5)]))]).encoded
        #expect(!text.contains("\n"))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == hostile)
        #expect(parsed["n"] as? String == "nan")
        #expect(parsed["i"] as? String == "inf")
        let array = try #require(parsed["a"] as? [Any])
        #expect(array.count == 4)
        #expect(array[0] is NSNull)
        #expect((array[2] as? NSNumber)?.intValue == -3)
        #expect((array[3] as? NSNumber)?.doubleValue == 1.5)
    }

    @Test func invalidUTF8InTheSourceBytesStillEncodesToValidJSON() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0xC3, 0x28, 0x62, 0xED, 0xA0, 0x80]
        let decoded = String(decoding: bytes, as: UTF8.self)
        let text = JSONText.string(decoded).encoded
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == decoded)
        #expect(parsed?.hasPrefix("a\u{FFFD}") == true)
    }
}
