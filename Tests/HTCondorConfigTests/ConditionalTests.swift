import HTCondorConfig
import Testing

@Suite struct ConditionalTests {
    @Test func definedSelectsABranch() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            HAVE = yes
            if defined HAVE
              A = have
            else
              A = have not
            endif
            if defined MISSING
              B = have
            else
              B = have not
            endif
            if ! defined MISSING
              C = negated
            endif
            """)
        #expect(config.value("A") == "have")
        #expect(config.value("B") == "have not")
        #expect(config.value("C") == "negated")
    }

    @Test func literalsAndExpandedValues() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            FLAG = false
            if true
              A = 1
            endif
            if $(FLAG)
              B = taken
            elif 0
              B = zero
            elif yes
              B = elif
            else
              B = else
            endif
            IF 2
              C = integer
            ENDIF
            """)
        #expect(config.value("A") == "1")
        #expect(config.value("B") == "elif")
        #expect(config.value("C") == "integer")
    }

    @Test func nestedBlocksInsideDeadBranchesStayDead() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            if false
              if true
                A = inner
              else
                A = inner else
              endif
              # conditions in dead blocks are not evaluated, so this is no error:
              if version > 9.0
              endif
            else
              A = outer else
            endif
            """)
        #expect(config.value("A") == "outer else")
    }

    @Test func onlyTheFirstTrueBranchIsTaken() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "if true\nA = 1\nelif true\nA = 2\nelse\nA = 3\nendif\n")
        #expect(config.value("A") == "1")
    }

    @Test(arguments: [
        ("if version >= 5.0\nendif\n", 1, "version is not of the form"),
        ("if version >= 25\nendif\n", 1, "version is not of the form"),
        ("if version>=9.0\nendif\n", 1, "complex"),
        ("if version 25.14.0\nendif\n", 1, "complex"),
        ("if $(A) > 3\nendif\n", 1, "complex"),
        ("if true && false\nendif\n", 1, "complex"),
        ("if (true)\nendif\n", 1, "complex"),
        ("if \"true\"\nendif\n", 1, "complex"),
        ("if y\nendif\n", 1, "not a condition"),
        ("if 0x1\nendif\n", 1, "not a condition"),
        ("if defined a b\nendif\n", 1, "'defined' takes"),
        ("if defined use ROLE : Personal\nendif\n", 1, "without spaces"),
        ("A = 1\nif true\nB = 2\n", 2, "endif"),
        ("else\n", 1, "without a matching 'if'"),
        ("endif\n", 1, "without a matching 'if'"),
        ("if true\nelse\nelse\nendif\n", 3, "second 'else'"),
        ("if true\nelse\nelif true\nendif\n", 3, "'elif' after 'else'"),
        ("if\nendif\n", 1, "not a condition"),
    ])
    func malformedConditionals(text: String, line: Int, message: String) throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", text)
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.mainFile)
        #expect(error.line == line)
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func anIfMustBeClosedInItsOwnFile() throws {
        let fixture = try ConfigFixture()
        let part = try fixture.write("part.conf", "if true\nA = 1\n")
        try fixture.write("condor_config", "include : part.conf\nendif\n")
        let error = try #require(fixture.loadError())
        #expect(error.file == part)
        #expect(error.line == 1)
    }

    @Test func multiLineBodiesInDeadBranchesAreSkipped() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "if false\nX @=end\nnot config at all\n@end\nendif\nY = 1\n")
        #expect(config.value("X") == nil)
        #expect(config.value("Y") == "1")
    }
}
