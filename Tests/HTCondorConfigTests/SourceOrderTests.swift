import HTCondorConfig
import Testing

@Suite struct SourceOrderTests {
    @Test func condorConfigNamesTheMainFile() throws {
        let fixture = try ConfigFixture()
        let named = try fixture.write("elsewhere/config", "A = named\n")
        try fixture.write("condor_config", "A = default path\n")
        let config = try fixture.load(environment: ["CONDOR_CONFIG": named])
        #expect(config.value("A") == "named")
        #expect(config.filesRead == [named])
    }

    @Test func missingCondorConfigFileIsAnError() throws {
        let fixture = try ConfigFixture()
        let missing = fixture.path("missing")
        let error = try #require(fixture.loadError(environment: ["CONDOR_CONFIG": missing]))
        #expect(error.file == missing)
        #expect(error.message.contains("does not exist"))
    }

    @Test func missingDefaultFileIsAnError() throws {
        let fixture = try ConfigFixture()
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.mainFile)
        #expect(error.message.contains("CONDOR_CONFIG is not set"))
    }

    @Test func onlyEnvReadsNoFiles() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = file\n")
        let config = try fixture.load(environment: ["CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_B": "env"])
        #expect(config.value("A") == nil)
        #expect(config.value("B") == "env")
        #expect(config.filesRead.isEmpty)
    }

    /// HTCondor's order: main file, LOCAL_CONFIG_DIR, LOCAL_CONFIG_FILE (so the classic
    /// condor_config.local overrides config.d), then the environment.
    @Test func localSourcesOverrideInHTCondorsOrder() throws {
        let fixture = try ConfigFixture()
        try fixture.write("config.d/10-first", "IN_DIR = 10\nSHARED = dir\n")
        try fixture.write("config.d/20-second", "IN_DIR = 20\n")
        try fixture.write("local", "SHARED = local file\nIN_FILE = local\n")
        try fixture.write("local2", "IN_FILE = local2\n")
        let config = try fixture.load(
            main: """
                SHARED = main
                IN_DIR = main
                ENV_WINS = main
                LOCAL_CONFIG_DIR = \(fixture.path("config.d"))
                LOCAL_CONFIG_FILE = \(fixture.path("local")), \(fixture.path("local2"))
                """,
            environment: ["_CONDOR_ENV_WINS": "environment"])
        #expect(config.value("IN_DIR") == "20")
        #expect(config.value("SHARED") == "local file")
        #expect(config.value("IN_FILE") == "local2")
        #expect(config.value("ENV_WINS") == "environment")
        #expect(config.filesRead == [
            fixture.mainFile, fixture.path("config.d/10-first"), fixture.path("config.d/20-second"),
            fixture.path("local"), fixture.path("local2"),
        ])
    }

    @Test func localConfigFileIsASpaceOrCommaList() throws {
        let fixture = try ConfigFixture()
        try fixture.write("a", "A = 1\n")
        try fixture.write("b", "B = 2\n")
        try fixture.write("c", "C = 3\n")
        let config = try fixture.load(
            main: "DIR = \(fixture.root)\nLOCAL_CONFIG_FILE = $(DIR)/a $(DIR)/b,$(DIR)/c\n")
        #expect(config.value("A") == "1")
        #expect(config.value("B") == "2")
        #expect(config.value("C") == "3")
    }

    @Test func aLocalFileThatMovesLocalConfigDirGetsTheNewDirectoryRead() throws {
        let fixture = try ConfigFixture()
        try fixture.write("old.d/a", "A = old\n")
        try fixture.write("new.d/a", "A = new\n")
        try fixture.write("local", "LOCAL_CONFIG_DIR = \(fixture.path("new.d"))\n")
        let config = try fixture.load(main: """
            LOCAL_CONFIG_DIR = \(fixture.path("old.d"))
            LOCAL_CONFIG_FILE = \(fixture.path("local"))
            """)
        #expect(config.value("A") == "new")
        #expect(config.filesRead.last == fixture.path("new.d/a"))
    }

    @Test func localConfigDirSkipsBackupsAndDotFilesInLexicalOrder() throws {
        let fixture = try ConfigFixture()
        for name in ["b.conf~", "c.rpmsave", "d.rpmnew", ".e.swp", ".hidden", "#f#", "g.dpkg-old", "h.dpkg-dist", "i.sh", "j.py"] {
            try fixture.write("config.d/\(name)", "SKIPPED = \(name)\n")
        }
        try fixture.write("config.d/Z", "ORDER = $(ORDER) Z\n")
        try fixture.write("config.d/a", "ORDER = $(ORDER) a\n")
        try fixture.write("config.d/10", "ORDER = $(ORDER) 10\n")
        try fixture.write("config.d/subdir/x", "SKIPPED = subdir\n")
        let config = try fixture.load(main: "LOCAL_CONFIG_DIR = \(fixture.path("config.d"))\n")
        #expect(config.value("SKIPPED") == nil)
        #expect(config.value("ORDER") == "10 Z a")
    }

    @Test func adminExclusionRuleReplacesTheDefault() throws {
        let fixture = try ConfigFixture()
        try fixture.write("config.d/keep", "KEEP = 1\n")
        try fixture.write("config.d/skip.disabled", "SKIP = 1\n")
        try fixture.write("config.d/b~", "BACKUP = read\n")
        let config = try fixture.load(main: """
            LOCAL_CONFIG_DIR = \(fixture.path("config.d"))
            LOCAL_CONFIG_DIR_EXCLUDE_REGEXP = \\.disabled$
            """)
        #expect(config.value("KEEP") == "1")
        #expect(config.value("SKIP") == nil)
        #expect(config.value("BACKUP") == "read")
    }

    @Test func badExclusionRuleIsAnErrorAtItsDefinition() throws {
        let fixture = try ConfigFixture()
        try fixture.write("config.d/a", "A = 1\n")
        try fixture.write("condor_config", """
            LOCAL_CONFIG_DIR = \(fixture.path("config.d"))
            LOCAL_CONFIG_DIR_EXCLUDE_REGEXP = ([unclosed
            """)
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.mainFile)
        #expect(error.line == 2)
    }

    @Test func missingLocalDirIsAWarning() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "LOCAL_CONFIG_DIR = \(fixture.path("nowhere"))\nA = 1\n")
        #expect(config.value("A") == "1")
        #expect(config.warnings.contains { $0.contains("nowhere") })
    }

    @Test func missingLocalFileIsAnErrorUnlessNotRequired() throws {
        let fixture = try ConfigFixture()
        let missing = fixture.path("missing.local")
        try fixture.write("condor_config", "LOCAL_CONFIG_FILE = \(missing)\n")
        let error = try #require(fixture.loadError())
        #expect(error.file == missing)

        let config = try fixture.load(
            main: "LOCAL_CONFIG_FILE = \(missing)\nREQUIRE_LOCAL_CONFIG_FILE = false\nA = 1\n")
        #expect(config.value("A") == "1")
        #expect(config.warnings.contains { $0.contains(missing) })
    }

    @Test func localConfigFromACommandIsRefused() throws {
        let fixture = try ConfigFixture()
        try fixture.write("condor_config", "A = 1\nLOCAL_CONFIG_FILE = /bin/generate |\n")
        let error = try #require(fixture.loadError())
        #expect(error.line == 2)
        #expect(error.message.contains("command"))
    }

    @Test func subsystemPrefixWinsOverThePlainName() throws {
        let fixture = try ConfigFixture()
        try fixture.write("local", "VM_MEMORY = 1024\n")
        let config = try fixture.load(main: """
            vm_gahp.VM_MEMORY = 512
            STARTD.VM_MEMORY = 64
            LOCAL_CONFIG_FILE = \(fixture.path("local"))
            """)
        // A later plain definition does not beat an earlier subsystem one.
        #expect(config.value("VM_MEMORY") == "512")
        #expect(config.value("STARTD.VM_MEMORY") == "64")
        #expect(config.value("VM_GAHP.VM_MEMORY") == "512")
        let startd = try HTCondorConfig.load(environment: [:], subsystem: "STARTD", defaultConfigPath: fixture.mainFile)
        #expect(startd.value("VM_MEMORY") == "64")
    }

    @Test func environmentOverrides() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(
            main: "A = file\nB = file\nVM_GAHP.C = file prefixed\nD = file\n",
            environment: [
                "_CONDOR_A": "env", "_condor_B": "lower-case prefix", "_CONDOR_C": "plain env",
                "_CONDOR_VM_GAHP.D": "env prefixed", "_CONDOR_bad name": "ignored", "A": "not a config variable",
            ])
        #expect(config.value("A") == "env")
        #expect(config.value("B") == "lower-case prefix")
        // As in HTCondor, `_CONDOR_C` defines the plain `C`; a `VM_GAHP.C` definition still wins.
        #expect(config.value("C") == "file prefixed")
        #expect(config.value("D") == "env prefixed")
    }

    @Test func environmentCanExtendAFileValue() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "LIST = a\n", environment: ["_CONDOR_LIST": "$(LIST) b"])
        #expect(config.value("LIST") == "a b")
    }

    @Test func reloadingReadsChangedFiles() throws {
        let fixture = try ConfigFixture()
        let first = try fixture.load(main: "A = 1\n")
        try fixture.write("condor_config", "A = 2\n")
        let second = try fixture.load()
        #expect(first.value("A") == "1")
        #expect(second.value("A") == "2")
    }
}

@Suite struct LocalFileListTests {
    @Test func aLocalFileThatChangesTheListSwitchesToTheNewList() throws {
        let fixture = try ConfigFixture()
        try fixture.write("one", "LOCAL_CONFIG_FILE = \(fixture.path("one")) \(fixture.path("three"))\nA = one\n")
        try fixture.write("two", "B = never read\n")
        try fixture.write("three", "C = three\n")
        let config = try fixture.load(main: "LOCAL_CONFIG_FILE = \(fixture.path("one")), \(fixture.path("two"))\n")
        #expect(config.value("A") == "one")
        #expect(config.value("B") == nil)
        #expect(config.value("C") == "three")
        #expect(config.filesRead == [fixture.mainFile, fixture.path("one"), fixture.path("three")])
    }
}

@Suite struct DefaultExclusionTests {
    /// The default exclusion rule is matched by hand (for start-up time); it must pick the same
    /// files as the pattern compiled as a regular expression.
    @Test func handMatcherAgreesWithTheRegularExpression() throws {
        let fixture = try ConfigFixture()
        let names = [
            "a", "10-vm.conf", ".hidden", "#x#", "x~", "~", "s.sh", "p.pl", "q.py", "x.rpmsave", "x.rpmnew", "x.dpkg-old",
            "x.dpkg-dist", "x.cfsaved", "x.sh.conf", "plx", "a.pyc", "conf.d~x", "y.dpkg-new", "z.swp", "b.conf",
        ]
        for name in names { try fixture.write("d/\(name)", "READ = $(READ) \(name)\n") }
        let directory = "LOCAL_CONFIG_DIR = \(fixture.path("d"))\n"
        let byHand = try fixture.load(main: directory)
        let regex = try HTCondorConfig.load(environment: ["CONDOR_CONFIG": "ONLY_ENV"]).value("LOCAL_CONFIG_DIR_EXCLUDE_REGEXP") ?? ""
        // The same rule spelled differently, so it goes through the regular-expression engine.
        let compiled = try fixture.load(main: directory + "LOCAL_CONFIG_DIR_EXCLUDE_REGEXP = \(regex)|(^NEVER$)\n")
        #expect(byHand.value("READ") == compiled.value("READ"))
        #expect(byHand.value("READ")?.contains("10-vm.conf") == true)
        #expect(byHand.value("READ")?.contains(".hidden") == false)
    }
}
