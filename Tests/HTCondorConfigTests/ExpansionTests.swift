import HTCondorConfig
import Testing

@Suite struct ExpansionTests {
    @Test func macrosExpandAtLookupWithTheFinalDefinitions() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "PATH_A = $(BASE)/a\nBASE = /first\nBASE = /second\n")
        #expect(config.value("PATH_A") == "/second/a")
    }

    @Test func undefinedMacrosExpandToNothingOrTheirDefault() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            A = [$(UNDEFINED)]
            B = $(UNDEFINED:fallback)
            C = $(DEFINED:fallback)
            DEFINED = real
            D = $(UNDEFINED:$(DEFINED)-nested)
            E = $(EMPTY:used for empty)
            EMPTY =
            ONLY_UNDEFINED = $(UNDEFINED)
            """)
        #expect(config.value("A") == "[]")
        #expect(config.value("B") == "fallback")
        #expect(config.value("C") == "real")
        #expect(config.value("D") == "real-nested")
        #expect(config.value("E") == "used for empty")
        #expect(config.value("ONLY_UNDEFINED") == nil)
    }

    @Test func environmentReferences() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(
            main: "A = $ENV(HOME_DIR)/x\nB = $ENV(NOT_SET:none)\nC = $env(HOME_DIR)\nD = <$ENV(NOT_SET)>\n",
            environment: ["HOME_DIR": "/home/condor"])
        #expect(config.value("A") == "/home/condor/x")
        #expect(config.value("B") == "none")
        #expect(config.value("C") == "$env(HOME_DIR)")  // function names are case-sensitive
        #expect(config.value("D") == "<UNDEFINED>")
    }

    @Test func selfReferenceAppendsAtDefinitionTime() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            LIST = a
            LIST = $(LIST) b
            LIST = $(list) c
            FRESH = $(FRESH) only
            LOG = $(LOG)/sub
            """)
        #expect(config.value("LIST") == "a b c")
        #expect(config.value("FRESH") == "only")
        // The self-reference sees the built-in default.
        #expect(config.value("LOG") == (config.value("TILDE") ?? "") + "/log/sub")
    }

    @Test func subsystemDefinitionCanExtendTheGeneralOne() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "TYPES = nat\nVM_GAHP.TYPES = $(TYPES), bridge\n")
        #expect(config.value("TYPES") == "nat, bridge")
    }

    @Test func cyclesTerminate() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "A = x$(B)\nB = y$(A)\nSELF = $(OTHER)\nOTHER = [$(SELF)]\n")
        #expect(config.value("A") == "xy")
        #expect(config.value("B") == "yx")
        #expect(config.value("SELF") == "[]")
    }

    @Test func exponentialReferencesStayBounded() throws {
        let fixture = try ConfigFixture()
        var text = "L0 = x\n"
        for level in 1...12 { text += "L\(level) = $(L\(level - 1))$(L\(level - 1))\n" }
        let config = try fixture.load(main: text)
        #expect(config.value("L12")?.count == 4096)
    }

    @Test func otherDollarFormsPassThrough() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "A = $$(Memory) $Random_Choice(1,2) $(not a name) $ cost $(DOLLAR)(X)\n")
        #expect(config.value("A") == "$$(Memory) $Random_Choice(1,2) $(not a name) $ cost $(X)")
    }

    @Test func typedValues() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            T1 = TRUE
            T2 = yes
            T3 = 1
            F1 = False
            F2 = no
            BAD = maybe
            I1 = 42
            I2 = 10 * 1024 * 1024
            I3 = -(2 + 3) * 4
            I4 = $(I1) + 1
            I5 = 5 / 0
            I6 = 99999999999999999999
            L = a, b c,,d
            """)
        #expect(config.bool("T1", default: false))
        #expect(config.bool("T2", default: false))
        #expect(config.bool("T3", default: false))
        #expect(!config.bool("F1", default: true))
        #expect(!config.bool("F2", default: true))
        #expect(config.bool("BAD", default: true))
        #expect(!config.bool("BAD", default: false))
        #expect(config.bool("UNSET", default: true))
        #expect(config.integer("I1", default: 0) == 42)
        #expect(config.integer("I2", default: 0) == 10_485_760)
        #expect(config.integer("I3", default: 0) == -20)
        #expect(config.integer("I4", default: 0) == 43)
        #expect(config.integer("I5", default: 7) == 7)
        #expect(config.integer("I6", default: 7) == 7)
        #expect(config.integer("T2", default: 7) == 7)
        #expect(config.list("L") == ["a", "b", "c", "d"])
        #expect(config.list("UNSET") == [])
    }

    @Test func builtInDefaults() throws {
        let config = try HTCondorConfig.load(environment: ["CONDOR_CONFIG": "ONLY_ENV"])
        // HTCondor's own defaults: LOG is $(LOCAL_DIR)/log and LOCAL_DIR is ~condor.
        let log = (config.value("TILDE") ?? "") + "/log"
        #expect(config.value("VM_GAHP_LOG") == log + "/VMGahpLog")
        #expect(config.value("MAX_VM_GAHP_LOG") == "10 Mb")
        #expect(config.byteCount("MAX_VM_GAHP_LOG", default: 0) == 10_485_760)
        #expect(config.integer("VM_GAHP_REQ_TIMEOUT", default: 0) == 300)
        #expect(config.integer("VM_STATUS_INTERVAL", default: 0) == 60)
        #expect(config.value("LIBVIRT_XML_SCRIPT") == "/usr/libexec/libvirt_simple_script.awk")
        #expect(!config.bool("VM_NETWORKING", default: true))
        #expect(!config.bool("VM_HARDWARE_VT", default: true))
        #expect(!config.bool("XEN_ALLOW_HARDWARE_VT_SUSPEND", default: true))
        #expect(config.value("VM_LIBVIRT_URI") == nil)
        #expect(config.value("VM_GAHP_DISK_ROOTS") == nil)
        #expect(config.value("SUBSYSTEM") == "VM_GAHP")
        #expect(config.filesRead.isEmpty)
    }

    @Test func defaultsFollowTheSettingsTheyReferTo() throws {
        let config = try HTCondorConfig.load(
            environment: ["CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_LOG": "/srv/log", "_CONDOR_MAX_DEFAULT_LOG": "1000"])
        #expect(config.value("VM_GAHP_LOG") == "/srv/log/VMGahpLog")
        #expect(config.integer("MAX_VM_GAHP_LOG", default: 0) == 1000)
    }
}

@Suite struct DetectedValueTests {
    @Test func hostDetailsAreAvailableAsMacros() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            LOCAL = /etc/condor/$(HOSTNAME).local
            if $(IsLinux)
              PLATFORM = linux
            endif
            if $(IsWindows)
              PLATFORM = windows
            endif
            """)
        let hostname = try #require(config.value("HOSTNAME"))
        #expect(!hostname.isEmpty && !hostname.contains("."))
        #expect(config.value("FULL_HOSTNAME")?.hasPrefix(hostname) == true)
        #expect(config.value("LOCAL") == "/etc/condor/\(hostname).local")
        // As in HTCondor 25.14: IsWindows is false and IsLinux is not defined at all.
        #expect(config.value("PLATFORM") == nil)
        #expect(config.value("IsWindows") == "false")
    }

    @Test func filesOverrideDetectedValues() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "HOSTNAME = pinned\n")
        #expect(config.value("HOSTNAME") == "pinned")
    }
}
