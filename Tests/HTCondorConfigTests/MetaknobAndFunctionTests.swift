import HTCondorConfig
import Testing

/// `use` templates and function macros, with the values HTCondor 25.14's own reader gives.
@Suite struct MetaknobTests {
    @Test func stockTemplatesAreAcceptedAndRecorded() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            use ROLE : Personal
            USE security:recommended
            use SECURITY: HOST_BASED
            use role : execute, submit
            use POLICY : PREEMPT_IF(WANT_IT)
            if defined use ROLE:Personal
              KNOWN = yes
            endif
            if defined use ROLE:Nonesuch
              UNKNOWN = yes
            endif
            VM_MEMORY = 1024
            """)
        #expect(config.metaknobs == [
            "role:personal", "security:recommended", "security:host_based", "role:execute", "role:submit",
            "policy:preempt_if",
        ])
        #expect(config.value("KNOWN") == "yes")
        #expect(config.value("UNKNOWN") == nil)
        #expect(config.value("VM_MEMORY") == "1024")
        #expect(config.warnings.isEmpty)
    }

    @Test(arguments: [
        ("use ROLE : Nonesuch\n", "no such template"),
        ("use FOO : bar\n", "unknown template category"),
        ("use ROLE\n", "CATEGORY : NAME"),
        ("use POLICY : PREEMPT_IF\n", "needs at least 1"),
        ("use FEATURE : StartdCronOneShot(a)\n", "needs at least 2"),
    ])
    func templatesHTCondorRefusesAreRefused(text: String, message: String) throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = 1\n" + text)
        let error = try #require(fixture.loadError())
        #expect(error.line == 2)
        #expect(error.message.contains(message), "\(error)")
    }
}

@Suite struct FunctionMacroTests {
    static let definitions = """
        N = 7
        X = 7 * 3
        F = 2.5
        S = "hello"
        P = /d1/d2/file.tar.gz
        L = x, y ,z
        """

    @Test(arguments: [
        ("$INT(N)", "7"), ("$INT(X)", "21"), ("$INT(3*4)", "12"), ("$INT(N,%04d)", "0007"), ("$INT(N,x%dy)", "x7y"),
        ("$INT(F)", "2"), ("$REAL(F)", "2.5"), ("$REAL(N)", "7"), ("$REAL(F,%.2f)", "2.50"),
        ("$STRING(S)", "hello"), ("$STRING(S,<%s>)", "<hello>"), ("$STRING(UNDEF)", "UNDEF"),
        ("$EVAL(X)", "21"), ("$EVAL(S)", "hello"), ("$EVAL(UNDEF)", "undefined"),
        ("$SUBSTR(P,2)", "1/d2/file.tar.gz"), ("$SUBSTR(P,-3)", ".gz"), ("$SUBSTR(P,1,3)", "d1/"),
        ("$SUBSTR(P,0,-2)", "/d1/d2/file.tar."), ("$CHOICE(0,L)", "x"), ("$CHOICE(2,L)", "z"), ("$CHOICE(1,a,b)", "b"),
        ("$F(P)", "/d1/d2/file.tar.gz"), ("$Fp(P)", "/d1/d2/"), ("$Fd(P)", "d2/"), ("$Fdb(P)", "d2"), ("$Fn(P)", "file.tar"),
        ("$Fx(P)", ".gz"), ("$Fxb(P)", "gz"), ("$Fnx(P)", "file.tar.gz"), ("$Fq(P)", "\"/d1/d2/file.tar.gz\""),
        ("$Fqa(N)", "'7'"), ("$Fw(P)", "\\d1\\d2\\file.tar.gz"), ("$Fd(/a)", "/"), ("$Fn(.hidden)", ".hidden"),
        ("$DIRNAME(P)", "/d1/d2/"), ("$BASENAME(P)", "file.tar.gz"), ("$RANDOM_INTEGER(5,5)", "5"),
        ("$RANDOM_CHOICE(a)", "a"), ("$Fz(P)", "$Fz(P)"), ("$Int(N)", "$Int(N)"),
    ])
    func valuesMatchHTCondor(expression: String, expected: String) throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: Self.definitions + "\nR = \(expression)\n")
        #expect(config.value("R") == expected, "\(expression)")
    }

    @Test func aFailingFunctionInAKnobTheGahpReadsIsRefused() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", Self.definitions + "\nVM_MEMORY = $INT(P)\n")
        let error = try #require(fixture.loadError())
        #expect(error.line == 7)
        #expect(error.message.contains("VM_MEMORY"))
        // Elsewhere it only expands to nothing: HTCondor fails only when the value is looked up.
        let config = try fixture.load(main: Self.definitions + "\nOTHER = <$CHOICE(9,L)>\n")
        #expect(config.value("OTHER") == "<>")
    }
}
