import HTCondorConfig
import Testing

@Suite struct IncludeTests {
    @Test func includeReadsRelativeToTheIncludingFile() throws {
        let fixture = try ConfigFixture()
        try fixture.write("parts/extra.conf", "B = from include\nA = overridden\n")
        let config = try fixture.load(main: "A = main\ninclude : parts/extra.conf\nC = after\n")
        #expect(config.value("A") == "overridden")
        #expect(config.value("B") == "from include")
        #expect(config.value("C") == "after")
        #expect(config.filesRead == [fixture.mainFile, fixture.path("parts/extra.conf")])
    }

    @Test func includePathIsExpanded() throws {
        let fixture = try ConfigFixture()
        try fixture.write("etc/part.conf", "B = 2\n")
        let config = try fixture.load(main: "DIR = \(fixture.path("etc"))\ninclude : $(DIR)/part.conf\n")
        #expect(config.value("B") == "2")
    }

    @Test func missingIncludeIsAnErrorAtTheIncludeLine() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = 1\ninclude : nowhere.conf\n")
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.path("nowhere.conf"))
        #expect(error.message.contains("does not exist"))
    }

    @Test func includeIfExistSkipsMissingFiles() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "include ifexist : nowhere.conf\nA = 1\n")
        #expect(config.value("A") == "1")
        #expect(config.filesRead == [fixture.mainFile])
    }

    @Test func includeCommandIsRefused() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "\ninclude command : /bin/echo A = 1\n")
        let error = try #require(fixture.loadError())
        #expect(error.line == 2)
        #expect(error.message.contains("not supported"))
    }

    @Test func includeCycleIsAnErrorNotAHang() throws {
        let fixture = try ConfigFixture()
        try fixture.write("a.conf", "include : b.conf\n")
        try fixture.write("b.conf", "include : a.conf\n")
        try fixture.write("condor_config", "include : a.conf\n")
        let error = try #require(fixture.loadError())
        #expect(error.message.contains("nested too deeply"))
    }

    @Test func errorsInsideIncludesNameTheIncludedFile() throws {
        let fixture = try ConfigFixture()
        let part = try fixture.write("part.conf", "OK = 1\nbroken line\n")
        try fixture.write("condor_config", "include : part.conf\n")
        let error = try #require(fixture.loadError())
        #expect(error.file == part)
        #expect(error.line == 2)
    }
}

