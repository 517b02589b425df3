import GAHPWire
import Testing

@Suite struct GAHPArgumentsTests {
    @Test func splitsOnEachBlank() {
        #expect(GAHPArguments.split("CONDOR_VM_STATUS 2 1") == ["CONDOR_VM_STATUS", "2", "1"])
        #expect(GAHPArguments.split("A\tB") == ["A", "B"])
        #expect(GAHPArguments.split("A  B") == ["A", "", "B"])
        #expect(GAHPArguments.split(" A ") == ["", "A", ""])
        #expect(GAHPArguments.split("") == [""])
    }

    @Test func backslashMakesTheNextCharacterLiteral() {
        #expect(GAHPArguments.split("A\\ B C") == ["A B", "C"])
        #expect(GAHPArguments.split("A\\\\ B") == ["A\\", "B"])
        #expect(GAHPArguments.split("A\\\nB") == ["A\nB"])
    }

    @Test func escapedLastCharacterIsKept() {
        // HTCondor drops it; we keep it.
        #expect(GAHPArguments.split("A\\x") == ["Ax"])
        #expect(GAHPArguments.split("A\\ ") == ["A "])
    }

    @Test func trailingLoneBackslashDisappears() {
        #expect(GAHPArguments.split("A\\") == ["A"])
    }

    @Test(arguments: ["plain", "with space", "back\\slash", "cr\rlf\n", "tab\there", "  ", "\\", "ünïcödé ✓", ""])
    func escapeRoundTrips(_ field: String) {
        let escaped = GAHPArguments.escape(field)
        #expect(GAHPArguments.split("X " + escaped) == ["X", field])
    }

    @Test func escapeWithLimitNeverSplitsAPairOrExceedsTheLimit() {
        let field = String(repeating: "a \\é", count: 5000)
        for limit in [0, 1, 3, 4, 5, 6, 7, 100, 8191] {
            let cut = GAHPArguments.escape(field, maxBytes: limit)
            #expect(cut.utf8.count <= max(limit, 3))
            #expect(cut.hasSuffix("..."))
            let back = GAHPArguments.split(cut)
            #expect(back.count == 1)
            #expect(field.hasPrefix(String(back[0].dropLast(3))))
        }
        #expect(GAHPArguments.escape("short", maxBytes: 100) == "short")
    }

    @Test func positiveDecimals() {
        #expect(GAHPArguments.positiveDecimal("1") == 1)
        #expect(GAHPArguments.positiveDecimal("007") == 7)
        #expect(GAHPArguments.positiveDecimal("9223372036854775807") == Int.max)
        for bad in ["0", "", "-1", "+1", "1a", "x", " 1", "9223372036854775808", "١"] {
            #expect(GAHPArguments.positiveDecimal(bad) == nil, "\(bad)")
        }
        let requestMaximum = GAHPArguments.maximumRequestID
        #expect(GAHPArguments.positiveDecimal("2147483647", maximum: requestMaximum) == 2147483647)
        #expect(GAHPArguments.positiveDecimal("2147483648", maximum: requestMaximum) == nil)
    }
}
