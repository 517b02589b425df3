import Testing

@testable import ClassAd

@Suite struct LexerParserTests {
    @Test func oldSyntaxStrings() throws {
        // Backslash before a quote makes it literal, except at the very end of the input.
        #expect(try value(#""a\"b""#) == .string(#"a"b"#))
        #expect(try value(#""C:\""#) == .string(#"C:\"#))
        #expect(try value(#""\n\t\\""#) == .string(#"\n\t\\"#))
        #expect(try value(#""\"""#) == .string(#"""#))
        #expect(try value(#""x\"""#) == .string(#"x""#))
        // A trailing blank after `\"` makes the quote literal, so the string never ends.
        #expect(rejects(#"A = "C:\" "#))
        // HTCondor's known misreading: the quote after C:\ does not end the string.
        #expect(rejects(#"A = "C:\" && B"#))
        // A line ending is not part of the value and does not change that rule.
        #expect(unparsed("A = \"C:\\\"\r\n") == #"A = "C:\""#)
    }

    /// Old-syntax string cases other implementations got wrong (agetty's `\S` in
    /// OSIssue, Windows paths, regular expressions): read literally, written unchanged.
    @Test(arguments: [
        (#"OSIssue = "\S""#, #"\S"#),
        (#"OSIssue = "\S \r (\l)""#, #"\S \r (\l)"#),
        (#"A = "tab\there""#, #"tab\there"#),
        (#"Path = "C:\Users\x""#, #"C:\Users\x"#),
        (#"A = "x\\y""#, #"x\\y"#),
        (#"A = "a\"b""#, #"a"b"#),
        (#"Pat = "host\d+\.example""#, #"host\d+\.example"#),
        (#"Regexp = "^user\d+$""#, #"^user\d+$"#),
    ])
    func backslashesAreLiteral(line: String, expected: String) throws {
        let (ad, errors) = ClassAd.parse(lines: [line])
        #expect(errors.isEmpty)
        let name = try #require(ad.attributeNames.first)
        #expect(ad.string(name) == expected)
        #expect(ad.unparsedOld(name) == line)
    }

    @Test func backslashesInsideLargerExpressions() {
        #expect(unparsed(#"Req = Machine == "C:\slot""#) == #"Req = Machine == "C:\slot""#)
        let line = #"Req = (OpSys == "LINUX") && (Path == "C:\bin")"#
        #expect(unparsed(line) == line)
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try value("TRUE") == .boolean(true))
        #expect(try value("False") == .boolean(false))
        #expect(try value("UNDEFINED") == .undefined)
        #expect(try value("Error") == .error)
        #expect(try value("undefined IS undefined") == .boolean(true))
        #expect(try value("1 isnt 1.0") == .boolean(true))
        #expect(unparsed("A = 1 isnt 1.0") == "A = 1 =!= 1.0")
        #expect(try value("true_x") == .undefined)  // an identifier, not the keyword
    }

    @Test func numbers() throws {
        #expect(try value("-42") == .integer(-42))
        #expect(try value("1e3") == .real(1000))
        #expect(try value("0.25") == .real(0.25))
        #expect(try value("-.5") == .real(-0.5))
        #expect(try value("0") == .integer(0))
        #expect(try value("3 -4") == .integer(-1))  // after an operand, '-' subtracts
        #expect(try value("3 - -4") == .integer(7))
        // Overflowing literals saturate like strtoll/strtod instead of trapping.
        #expect(try value("99999999999999999999999") == .integer(.max))
        #expect(try value("-99999999999999999999999") == .integer(.min))
        #expect(try value("-9223372036854775808") == .integer(.min))
        #expect(try value("1e999") == .real(.infinity))
        #expect(try value("1e-999") == .real(0))
        for bad in ["A = 5.", "A = 1e", "A = 1e+", "A = 0x1F", "A = 007", "A = 5abc", "A = 1.2.3"] {
            #expect(rejects(bad), "\(bad)")
        }
    }

    @Test func precedence() throws {
        #expect(try value("1 + 2 * 3") == .integer(7))
        #expect(try value("(1 + 2) * 3") == .integer(9))
        #expect(try value("10 - 4 - 3") == .integer(3))  // left-associative
        #expect(try value("2 * 3 % 4") == .integer(2))
        #expect(try value("1 << 2 + 1") == .integer(8))  // shift binds looser than +
        #expect(try value("1 < 2 == true") == .boolean(true))  // relational before equality
        #expect(try value("6 & 3 ^ 1 | 8") == .integer(11))  // & then ^ then |
        #expect(try value("true || false && false") == .boolean(true))  // && before ||
        #expect(try value("false ? 1 : true ? 2 : 3") == .integer(2))  // ?: is right-associative
        #expect(try value("-2 * -3") == .integer(6))
        #expect(try value("!false && true") == .boolean(true))
        #expect(try value("- - 4") == .integer(4))
        #expect(try value("~0") == .integer(-1))
        #expect(try value("-1 >>> 60") == .integer(15))
        #expect(try value("-16 >> 2") == .integer(-4))
        #expect(try value("undefined ?: 7") == .integer(7))
        #expect(try value("3 ?: 7") == .integer(3))
    }

    @Test func listsNestedAdsSubscriptsAndSelection() throws {
        #expect(try value("{1, 2, 3}[1]") == .integer(2))
        #expect(try value("{1, 2, 3}[3]") == .error)
        #expect(try value("{}") == .list([]))
        #expect(try value("[a = 1; b = a + 1].b") == .integer(2))
        #expect(try value("[a = 1; b = 2;][\"B\"]") == .integer(2))
        #expect(try value("[a = 1].missing") == .undefined)
        #expect(try value("size({1, {2, 3}})") == .integer(2))
        #expect(unparsed("A = {}") == "A = {  }")
        #expect(unparsed("A = [ ]") == "A = [  ]")
        #expect(unparsed("A = [a=1;b={1,2}][\"a\"]") == #"A = [ a = 1; b = { 1,2 } ]["a"]"#)
        #expect(unparsed("A = x.y.z") == "A = x.y.z")
        #expect(unparsed("A = .x") == "A = .x")
        #expect(unparsed("A = a ? b : c ?: d") == "A = a ? b : c ?: d")
        #expect(unparsed("A = ~ x + + y") == "A =  ~x +  +y")
        #expect(unparsed("A = 'odd name' + 'x'") == "A = 'odd name' + x")
        #expect(unparsed("A = f( ) + g(1 , 2)") == "A = f() + g(1,2)")
    }

    @Test func writerFormatsLikeHTCondor() {
        #expect(unparsed("A = 1e20") == "A = 1E+20")
        #expect(unparsed("A = 123456789.0") == "A = 123456789.0")
        #expect(unparsed("A = 0.1") == "A = 0.1")
        #expect(unparsed("A = 1.0e-5") == "A = 1E-05")
        #expect(unparsed("A = -0.0") == "A = -0.0")
        #expect(unparsed("A = 1e999") == #"A = real("INF")"#)
        #expect(unparsed("A = -1e999") == #"A = real("-INF")"#)
        #expect(unparsed("A = 3.14159265358979311") == "A = 3.141592653589793")
        let raw = "A = \"tab\tand \\ and \\\"q\\\"\""  // A = "tab<TAB>and \ and \"q\""
        #expect(unparsed(raw) == raw)
        #expect(unparsed("A = a>=b&&c!=d||!e") == "A = a >= b && c != d ||  !e")
        #expect(unparsed("A = a=?=b") == "A = a =?= b")
        #expect(unparsed("A = a =!= b << 1 >> 2 >>> 3") == "A = a =!= b << 1 >> 2 >>> 3")
        #expect(unparsed("A = 1 /* comment */ + 2 // rest") == "A = 1 + 2")
        #expect(ClassAdValue.real(.nan).oldSyntax == #"real("NaN")"#)
        #expect(ClassAdValue.list([.integer(1), .string("x\"y")]).oldSyntax == #"{ 1,"x\"y" }"#)
    }

    @Test func linesAreSplitLikeHTCondor() {
        #expect(unparsed("  Name   =   1") == "Name = 1")
        #expect(unparsed("Name\t= 1") == "Name = 1")
        #expect(unparsed("A = b == c") == "A = b == c")  // split at the first '='
        #expect(rejects("A == 1"))
        #expect(rejects("'A' = 1"))
        #expect(rejects("A B = 1"))
        #expect(rejects("1A = 1"))
        #expect(rejects("A = 1 2"))
        #expect(rejects("A = "))
        #expect(rejects(""))
        #expect(rejects("A = [a = 1"))
        #expect(rejects("A = {1, 2"))
        #expect(rejects("A = f(1,)"))
        #expect(rejects("A = 1 /* open comment"))
        #expect(rejects("A = x.1"))
        #expect(rejects("A = 1 ? 2"))
        #expect(rejects("A = @"))
        #expect(rejects("A = 1 =? 2"))
    }

    @Test func errorsCarryTheLine() {
        let lines = ["Good = 1", "Bad = (1 +", "Also = \"ok\""]
        let (ad, errors) = ClassAd.parse(lines: lines)
        #expect(ad.attributeNames == ["Good", "Also"])
        #expect(errors.count == 1)
        #expect(errors.first?.line == "Bad = (1 +")
        #expect(errors.first?.message.isEmpty == false)
        var other = ClassAd()
        #expect(throws: ClassAdParseError.self) { try other.insert(line: "NoEquals") }
    }

    @Test func namesAreCaseInsensitiveAndKeepTheirFirstSpelling() {
        let (ad, _) = ClassAd.parse(lines: ["JobVMMemory = 512", "jobvmmemory = 1024", "Other = JOBVMMEMORY"])
        #expect(ad.attributeNames == ["JobVMMemory", "Other"])
        #expect(ad.integer("JOBVMMEMORY") == 1024)
        #expect(ad.integer("other") == 1024)
        #expect(ad.unparsedOld("jobVMmemory") == "JobVMMemory = 1024")
        #expect(ad.unparsedOldExpression("OTHER") == "JOBVMMEMORY")
        #expect(ad.unparsedOldExpression("missing") == nil)
        #expect(ad.contains("OTHER"))
        #expect(!ad.contains("missing"))
        #expect(ad.unparsedOld("missing") == nil)
        #expect(ad.evaluate("missing") == .undefined)
    }
}
