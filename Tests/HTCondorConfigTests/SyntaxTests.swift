import HTCondorConfig
import Testing

@Suite struct SyntaxTests {
    @Test func assignmentsCommentsAndBlankLines() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            # a comment
              # an indented comment

            A = one
            B=two
            C =   spaced value   \t
            D = keeps # this, HTCondor has no trailing comments
            E =
            """)
        #expect(config.value("A") == "one")
        #expect(config.value("B") == "two")
        #expect(config.value("C") == "spaced value")
        #expect(config.value("D") == "keeps # this, HTCondor has no trailing comments")
        #expect(config.value("E") == nil)
        #expect(config.value("UNSET") == nil)
    }

    @Test func namesAreCaseInsensitive() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "Vm_Memory = 512\nvm_memory = 1024\n")
        #expect(config.value("VM_MEMORY") == "1024")
        #expect(config.value("vm_memory") == "1024")
    }

    @Test func laterDefinitionsWin() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "A = first\nA = second\n")
        #expect(config.value("A") == "second")
    }

    @Test func continuationLinesJoin() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            LIST = a, \\
              b, \\
            # a comment ending in a backslash continues \\
              c
            ODD = a \\
            # HTCondor keeps the last character of a comment line here: xyz
            AFTER = x
            TRAILING = last \\
            """)
        #expect(config.value("LIST") == "a, b, c")
        #expect(config.value("ODD") == "a z")
        #expect(config.value("AFTER") == "x")
        #expect(config.value("TRAILING") == "last")
    }

    @Test func errorsCountPhysicalLinesThroughContinuations() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = 1 \\\n  2\nthis is not an assignment\n")
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.mainFile)
        #expect(error.line == 3)
    }

    @Test func multiLineValues() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            SCRIPT @=end
              line one
            # not a comment here
              line three
            @end
            NEXT = 1
            """)
        #expect(config.value("SCRIPT") == "  line one\n# not a comment here\n  line three")
        #expect(config.value("NEXT") == "1")
    }

    @Test func unterminatedMultiLineValueIsAnError() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = 1\nSCRIPT @=end\nbody\n")
        let error = try #require(fixture.loadError())
        #expect(error.line == 2)
        #expect(error.message.contains("@end"))
    }

    @Test func malformedLinesNameFileAndLine() throws {
        let fixture = try ConfigFixture()
        for (text, line) in [("A = 1\nno equals sign\n", 2), ("\n\nBAD NAME = 3\n", 3), ("= value\n", 1)] {
            try fixture.write("condor_config", text)
            let error = try #require(fixture.loadError(), "\(text)")
            #expect(error.file == fixture.mainFile)
            #expect(error.line == line)
            #expect(error.description.hasPrefix("\(fixture.mainFile), line \(line): "))
        }
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "A = 1\r\nB = 2\r\n")
        #expect(config.value("A") == "1")
        #expect(config.value("B") == "2")
    }

    @Test func keywordsCanStillBeAssignedAsNames() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "use = 1\ninclude = 2\nif=3\nerror = 4\nwarning=5\n")
        #expect(config.value("USE") == "1")
        #expect(config.value("INCLUDE") == "2")
        #expect(config.value("IF") == "3")
        #expect(config.value("ERROR") == "4")
        #expect(config.value("WARNING") == "5")
        // With white space after it, `if` is a condition, as in HTCondor.
        try fixture.write("condor_config", "if = 3\n")
        #expect(fixture.loadError()?.message.contains("not a valid condition") == true)
    }

    @Test func errorAndWarningStatements() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "X = here\nwarning : careful $(X)\nif false\nerror : never\nendif\n")
        #expect(config.warnings == ["\(fixture.mainFile), line 2: careful here"])
        try fixture.write("condor_config", "A = 1\nerror: stop $(A)\n")
        let error = try #require(fixture.loadError())
        #expect(error.line == 2)
        #expect(error.message == "stop 1")
    }

    @Test func sectionHeadersAndOldIncludeMarkerAreAccepted() throws {
        let fixture = try ConfigFixture()
        try fixture.write("part", "P = 1\n")
        let config = try fixture.load(main: "[HTCondor]\n@include : part\nA = [ x = 1 ]\n")
        #expect(config.value("P") == "1")
        #expect(config.value("A") == "[ x = 1 ]")
        try fixture.write("condor_config", "[HTCondor settings]\n")
        #expect(fixture.loadError()?.line == 1)
    }
}
