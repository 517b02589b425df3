import Testing

import ClassAd

@Suite struct EvaluatorTests {
    @Test func arithmetic() throws {
        #expect(try value("7 / 2") == .integer(3))
        #expect(try value("-7 / 2") == .integer(-3))
        #expect(try value("-7 % 3") == .integer(-1))
        #expect(try value("7 / 2.0") == .real(3.5))
        #expect(try value("7.5 % 2") == .real(1.5))
        #expect(try value("1 / 0") == .error)
        #expect(try value("1 % 0") == .error)
        #expect(try value("1.0 / 0") == .error)
        #expect(try value("1.0 % 0.0") == .error)
        #expect(try value("true + 1") == .integer(2))
        #expect(try value("\"a\" + 1") == .error)
        #expect(try value("{1} + 1") == .error)
        #expect(try value("-\"a\"") == .error)
        #expect(try value("+\"a\"") == .error)
        #expect(try value("-true") == .boolean(false))
        // Never trap on overflow.
        #expect(try value("9223372036854775807 + 1") == .integer(.min))
        #expect(try value("-9223372036854775808 - 1") == .integer(.max))
        #expect(try value("9223372036854775807 * 3") == .integer(9223372036854775807 &* 3))
        #expect(try value("-9223372036854775808 / -1") == .integer(.max))
        #expect(try value("-9223372036854775808 % -1") == .integer(0))
        #expect(try value("- -9223372036854775808") == .integer(.min))
        #expect(try value("1 << 64") == .integer(0))
        #expect(try value("1 << -1") == .integer(0))
        #expect(try value("1e308 * 10") == .real(.infinity))
    }

    @Test func strictOperatorsPropagateErrorBeforeUndefined() throws {
        #expect(try value("undefined + 1") == .undefined)
        #expect(try value("error + 1") == .error)
        #expect(try value("undefined + error") == .error)
        #expect(try value("undefined == 1") == .undefined)
        #expect(try value("undefined < error") == .error)
        #expect(try value("-undefined") == .undefined)
        #expect(try value("!error") == .error)
        #expect(try value("undefined & 1") == .undefined)
    }

    @Test func comparison() throws {
        #expect(try value(#""abc" == "ABC""#) == .boolean(true))
        #expect(try value(#""abc" != "ABD""#) == .boolean(true))
        #expect(try value(#""a" < "B""#) == .boolean(true))
        #expect(try value(#""B" <= "a""#) == .boolean(false))
        #expect(try value(#""abc" =?= "ABC""#) == .boolean(false))
        #expect(try value(#""abc" =?= "abc""#) == .boolean(true))
        #expect(try value(#""abc" =!= "ABC""#) == .boolean(true))
        #expect(try value("1 == 1.0") == .boolean(true))
        #expect(try value("1 =?= 1.0") == .boolean(false))
        #expect(try value("true == 1") == .boolean(true))
        #expect(try value("true =?= 1") == .boolean(false))
        #expect(try value(#""1" == 1"#) == .error)
        #expect(try value("{1} == {1}") == .error)
        #expect(try value("{1, \"a\"} =?= {1, \"a\"}") == .boolean(true))
        #expect(try value("undefined =?= undefined") == .boolean(true))
        #expect(try value("error =?= error") == .boolean(true))
        #expect(try value("undefined =?= error") == .boolean(false))
        #expect(try value("undefined =!= 1") == .boolean(true))
        #expect(try value(#"real("NaN") == real("NaN")"#) == .boolean(false))
        #expect(try value(#"real("NaN") != 1.0"#) == .boolean(true))
        #expect(try value("2.5 > 2") == .boolean(true))
    }

    @Test func threeValuedLogic() throws {
        let cases: [(String, ClassAdValue)] = [
            ("false && undefined", .boolean(false)),
            ("undefined && false", .boolean(false)),
            ("true && undefined", .undefined),
            ("undefined && true", .undefined),
            ("undefined && undefined", .undefined),
            ("true || undefined", .boolean(true)),
            ("undefined || true", .boolean(true)),
            ("false || undefined", .undefined),
            ("undefined || false", .undefined),
            ("false && error", .boolean(false)),
            ("true || error", .boolean(true)),
            ("error && false", .error),
            ("error || true", .error),
            ("true && error", .error),
            ("undefined && error", .error),
            ("undefined || error", .error),
            ("1 && 2.5", .boolean(true)),
            ("0 || 0.0", .boolean(false)),
            ("\"yes\" && true", .error),
            ("true && \"yes\"", .error),
            ("false && \"yes\"", .boolean(false)),  // short-circuit: the right side is never looked at
            ("!0", .boolean(true)),
            ("!\"x\"", .error),
            ("!undefined", .undefined),
        ]
        for (expression, expected) in cases {
            #expect(try value(expression) == expected, "\(expression)")
        }
    }

    @Test func conditional() throws {
        #expect(try value("true ? 1 : 2") == .integer(1))
        #expect(try value("0 ? 1 : 2") == .integer(2))
        #expect(try value("undefined ? 1 : 2") == .undefined)
        #expect(try value("\"s\" ? 1 : 2") == .error)
        #expect(try value("true ? 1 : 1/0") == .integer(1))
        #expect(try value("ifThenElse(false, 1/0, 2)") == .integer(2))
        #expect(try value("ifThenElse(undefined, 1, 2)") == .undefined)
        #expect(try value("ifThenElse(\"x\", 1, 2)") == .error)
        #expect(try value("ifThenElse(true, 1)") == .error)
    }

    @Test func references() throws {
        let (ad, errors) = ClassAd.parse(lines: [
            "JobVMMemory = 512",
            "RequestMemory = MY.JobVMMemory",
            "Double = RequestMemory * 2",
            "TargetRef = TARGET.Memory",
            "Loop = Loop + 1",
            "PingA = PingB",
            "PingB = PingA",
            "UsesLoop = Loop =?= error",
            "Nested = [ x = 1; y = x + JobVMMemory; z = MY.x; w = PARENT.JobVMMemory; v = MY.JobVMMemory ]",
            "Deep = Nested.y",
            "Absolute = [ JobVMMemory = 1; r = .JobVMMemory ].r",
            "Local = [ JobVMMemory = 1; r = JobVMMemory ].r",
        ])
        #expect(errors.isEmpty)
        #expect(ad.integer("Double") == 1024)
        #expect(ad.evaluate("TargetRef") == .undefined)
        #expect(ad.evaluate("Loop") == .error)
        #expect(ad.evaluate("PingA") == .error)
        #expect(ad.boolean("UsesLoop") == true)
        #expect(ad.integer("Deep") == 513)
        #expect(try value("Nested.z", in: ad) == .integer(1))
        #expect(try value("Nested.w", in: ad) == .integer(512))
        #expect(try value("Nested.v", in: ad) == .undefined)  // MY is the nested ad itself
        #expect(ad.integer("Absolute") == 512)
        #expect(ad.integer("Local") == 1)
        #expect(try value("MY.Double + 1", in: ad) == .integer(1025))
        #expect(try value("Double.x", in: ad) == .error)
        #expect(try value("Missing.x", in: ad) == .undefined)
        if case .classAd(let nested) = ad.evaluate("Nested") {
            #expect(nested.attributeNames == ["x", "y", "z", "w", "v"])
            #expect(nested.integer("z") == 1)
        } else {
            Issue.record("Nested is not an ad")
        }
        // Typed accessors do not convert.
        #expect(ad.string("JobVMMemory") == nil)
        #expect(ad.boolean("JobVMMemory") == nil)
        #expect(try value("real(JobVMMemory)", in: ad) == .real(512))
    }

    @Test func longReferenceChainsEndInErrorNotACrash() {
        var lines = (0..<5000).map { "A\($0) = A\($0 + 1) + 1" }
        lines.append("A5000 = 0")
        let (ad, errors) = ClassAd.parse(lines: lines)
        #expect(errors.isEmpty)
        #expect(ad.evaluate("A4990") == .integer(10))
        #expect(ad.evaluate("A0") == .error)
    }

    @Test func functions() throws {
        let cases: [(String, ClassAdValue)] = [
            (#"strcat("a", 1, 2.5, true)"#, .string("a12.500000000000000E+00true")),
            (#"strcat("a", 0.0, {1, "b"})"#, .string(#"a0.0{ 1,"b" }"#)),
            (#"strcat()"#, .string("")),
            (#"strcat("a", undefined)"#, .undefined),
            (#"strcat("a", error)"#, .error),
            (#"strcat(undefined, error)"#, .undefined),
            (#"string(-7)"#, .string("-7")),
            (#"string(undefined)"#, .undefined),
            (#"bool("TRUE")"#, .boolean(true)),
            (#"bool("no")"#, .undefined),
            (#"bool(0.0)"#, .boolean(false)),
            (#"bool({})"#, .error),
            (#"size("héllo")"#, .integer(6)),
            (#"size(undefined)"#, .undefined),
            (#"size(5)"#, .error),
            (#"substr("abcdef", 2)"#, .string("cdef")),
            (#"substr("abcdef", -2)"#, .string("ef")),
            (#"substr("abcdef", 1, -2)"#, .string("bcd")),
            (#"substr("abcdef", 10)"#, .string("")),
            (#"substr("abcdef", -10, 2)"#, .string("ab")),
            (#"substr("abcdef", 2, 100)"#, .string("cdef")),
            (#"substr("abcdef", -9223372036854775808, -9223372036854775808)"#, .string("")),
            (#"substr("abc", "1")"#, .error),
            (#"TOUPPER("aBc-é")"#, .string("ABC-é")),
            (#"tolower("AbC")"#, .string("abc")),
            (#"toLower(1)"#, .string("1")),
            (#"toUpper(true)"#, .string("TRUE")),
            (#"toUpper(undefined)"#, .undefined),
            (#"stringListMember("kvm", "xen,kvm")"#, .boolean(true)),
            (#"stringListMember("KVM", "xen,kvm")"#, .boolean(false)),
            (#"stringListIMember("KVM", "xen , kvm")"#, .boolean(true)),
            (#"stringListMember("a b", "a b,c", ",")"#, .boolean(true)),
            (#"stringListMember("", "a,,b")"#, .boolean(false)),
            (#"stringListMember(1, "1,2")"#, .error),
            (#"stringListMember("a", undefined)"#, .undefined),
            (#"real("INF")"#, .real(.infinity)),
            (#"real("-INF")"#, .real(-.infinity)),
            (#"real(" 2.5 ")"#, .real(2.5)),
            (#"real("2.5xyz")"#, .real(2.5)),
            (#"real("2K")"#, .real(2048)),
            (#"real("1.5g")"#, .real(1.5 * 1024 * 1024 * 1024)),
            (#"real("abc")"#, .error),
            (#"real("")"#, .error),
            (#"real(3)"#, .real(3)),
            (#"int(3.9)"#, .integer(3)),
            (#"int(-3.9)"#, .integer(-3)),
            (#"int("42")"#, .integer(42)),
            (#"int("4.5")"#, .integer(4)),
            (#"int("12abc")"#, .integer(12)),
            (#"int("2M")"#, .integer(2 * 1024 * 1024)),
            (#"int("x")"#, .error),
            (#"int("1e300")"#, .integer(.max)),
            (#"int(true)"#, .integer(1)),
            (#"int(real("NaN"))"#, .error),
            (#"int(1e300)"#, .integer(.max)),
            (#"int(-1e300)"#, .integer(.min)),
            (#"isUndefined(undefined)"#, .boolean(true)),
            (#"isError(1/0)"#, .boolean(true)),
            (#"isString("")"#, .boolean(true)),
            (#"isInteger(1.0)"#, .boolean(false)),
            (#"isReal(1.0)"#, .boolean(true)),
            (#"isBoolean(false)"#, .boolean(true)),
            (#"noSuchFunction(1)"#, .error),
            (#"size("a", "b")"#, .error),
        ]
        for (expression, expected) in cases {
            #expect(try value(expression) == expected, "\(expression)")
        }
        if case .real(let r) = try value(#"real("NaN")"#) {
            #expect(r.isNaN)
        } else {
            Issue.record("real(\"NaN\") is not a real")
        }
    }
}

@Suite struct EditingTests {
    @Test func setAndRemove() {
        var (ad, _) = ClassAd.parse(lines: ["A = 1", "B = A + 1", "C = \"x\""])
        ad.set("a", to: .integer(41))
        ad.set("Dir", to: .string(#"/tmp/with "quote" and \"#))
        ad.set("L", to: .list([.integer(-1), .real(2.5), .classAd(ad)]))
        #expect(ad.integer("B") == 42)
        #expect(ad.attributeNames == ["A", "B", "C", "Dir", "L"])
        #expect(ad.unparsedOld("Dir") == #"Dir = "/tmp/with \"quote\" and \""#)
        #expect(ad.string("dir") == #"/tmp/with "quote" and \"#)
        ad.remove("b")
        ad.remove("missing")
        #expect(ad.attributeNames == ["A", "C", "Dir", "L"])
        #expect(ad.evaluate("B") == .undefined)
        #expect(ad.string("C") == "x")
        ad.set("B", to: .boolean(true))
        #expect(ad.attributeNames == ["A", "C", "Dir", "L", "B"])
        #expect(ad.unparsedOld("L")?.hasPrefix("L = { -1,2.5,[ A = 41; B = A + 1; C = \"x\"") == true)
    }
}
