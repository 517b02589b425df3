import TestSupport

/// One generated configuration: files (paths relative to the case's directory; `@ROOT@` in a
/// text stands for that directory), the main file, and the environment to read it with.
struct GeneratedConfig {
    var files: [String: String] = [:]
    var main = "condor_config"
    var environment: [String: String] = [:]
}

/// Builds configurations from the language's features: macros with defaults, `$ENV()`,
/// `VM_GAHP.` prefixes, `_CONDOR_` overrides, includes, `LOCAL_CONFIG_DIR`/`LOCAL_CONFIG_FILE`,
/// nested conditionals (version, defined, booleans, numbers, macros), `@=` values, function
/// macros, self-references, continuations, `use` templates, `warning`/`error` lines, and now
/// and then a construct HTCondor refuses, so refusals are compared too.
struct ConfigGenerator {
    var random: SplitMix
    private var includes = 0

    init(seed: UInt64) { random = SplitMix(seed: seed) }

    /// Helpers the knob values refer to; always defined first in the main file.
    static let helpers: [(String, [String])] = [
        ("MEM", ["1024", "2048", "512"]),
        ("MEM_EXPR", ["512 * 2", "(3 + 1) * 256", "4096 / 2"]),
        ("MEMS", ["256, 512, 768", "100,200"]),
        ("MEMTEXT", ["xx4096", "ab12"]),
        ("NET", ["true", "false", "1", "0"]),
        ("TYPES", ["nat", "bridge, nat", "nat bridge"]),
        ("LOGFILE", ["/var/log/condor/gahp.txt", "/tmp/logs/vm.gahp.log"]),
        ("IMG", ["/srv/images/disk.qcow2", "/data/vm/a.img"]),
        ("QUOTED", ["\"/usr/bin/pygrub\"", "\"pv-grub\""]),
        ("TIMEOUT_EXPR", ["60 * 5", "120"]),
        ("SIZE", ["1024 * 1024", "4096"]),
        ("PTR", ["MEM", "NOPE"]),
    ]

    static let knobValues: [String: [String]] = [
        "VM_MEMORY": [
            "1024", "$(MEM)", "$(MEM:512)", "$(NOPE:$(MEM))", "$INT(MEM)", "$INT(MEM_EXPR)", "$INT(MEM,%05d)",
            "$INT(3*4)", "$ENV(VMMEM)", "$ENV(VMMEM:256)", "$CHOICE(1,MEMS)", "$SUBSTR(MEMTEXT,2)", "$(MEM)0",
            "$REAL(MEM_EXPR)", "$EVAL(MEM_EXPR)",
        ],
        "VM_NETWORKING": ["true", "false", "$(NET)", "yes", "$(NET:false)", "$STRING(NET)"],
        "VM_NETWORKING_TYPE": ["nat", "nat, bridge", "$(TYPES)", "$(VM_NETWORKING_TYPE), bridge", "$CHOICE(0,TYPES)"],
        "VM_NETWORKING_DEFAULT_TYPE": ["nat", "bridge", "$CHOICE(0,TYPES)"],
        "VM_NETWORKING_BRIDGE_INTERFACE": ["br0", "virbr$INT(MEM_EXPR)", "$SUBSTR(TYPES,0,3)"],
        "VM_HARDWARE_VT": ["true", "false", "$(NET)"],
        "XEN_BOOTLOADER": ["/usr/bin/pygrub", "$STRING(QUOTED)", "$Fn(IMG)"],
        "XEN_ALLOW_HARDWARE_VT_SUSPEND": ["false", "$(NET)"],
        "VM_GAHP_LOG": [
            "$(LOG)/VMGahpLog", "/tmp/$Fn(LOGFILE).log", "$Fp(LOGFILE)gahp.log", "$(LOCAL_DIR)/log/x",
            "$(LOG:/var/log)/$Fnx(LOGFILE)", "$ENV(GAHPLOG:/tmp/default.log)",
        ],
        "MAX_VM_GAHP_LOG": ["$(MAX_DEFAULT_LOG)", "1 Mb", "$INT(SIZE)", "$(SIZE)"],
        "VM_GAHP_DEBUG": ["D_FULLDEBUG", "$(ALL_DEBUG) D_CAT", "D_ALWAYS:2"],
        "ALL_DEBUG": ["D_PID", "$(DEFAULT_DEBUG)"],
        "DEFAULT_DEBUG": ["D_ALWAYS"],
        "VM_GAHP_REQ_TIMEOUT": ["300", "$INT(TIMEOUT_EXPR)", "$(T:60)", "$EVAL(TIMEOUT_EXPR)"],
        "VM_GAHP_DISK_ROOTS": ["/srv/a, /srv/b", "$Fp(IMG)", "$DIRNAME(IMG)", "$Fpq(IMG)"],
        "VM_LIBVIRT_URI": ["test:///default", "qemu:///$(URI_KIND:system)", "$ENV(URI)", "$ENV(URI:qemu:///session)"],
        "VM_LIBVIRT_DOMAIN_TYPE": ["kvm", "qemu", "$(NOPE:auto)"],
        "VM_LIBVIRT_CPU_MODE": ["host-passthrough", "$(NOPE)"],
        "VM_GAHP_STOP_GRACE": ["10", "$INT(TIMEOUT_EXPR)"],
        "LIBVIRT_XML_SCRIPT": ["$(LIBEXEC)/x.awk", "$BASENAME(IMG)", "$(LIBEXEC)/$Fn(IMG).awk"],
        "LIBVIRT_XML_SCRIPT_ARGS": ["-v $(MEM)", "$Fx(IMG)"],
        "VM_GAHP_XML_SCRIPT_TIMEOUT": ["30", "$(T:45)"],
    ]

    /// Conditions HTCondor accepts.
    static let conditions = [
        "version >= 23.10.0", "version < 9.0", "version == 25.14", "version != 25.14.0", "version > 25.13.99",
        "! version <= 8.9", "version >= v24.0", "defined MEM", "defined NOPE", "! defined NET", "defined use ROLE:Personal",
        "defined use SECURITY", "defined use ROLE:Nope", "true", "false", "yes", "no", "T", "f", "1", "0", "-1", "2.5",
        "$(NET)", "!$(NET)", "$(UNDEF_FLAG)", "defined $(PTR)", "defined VM_MEMORY", "defined 3", "!defined true",
        "$(IsLinux)", "$(IsWindows)", "defined IsLinux",
    ]
    /// Conditions HTCondor refuses.
    static let badConditions = ["$(MEM) > 3", "version >= 5.1", "y", "true && false", "version 25.14.0", "(true)"]

    static let templates = [
        "use ROLE : Personal", "use SECURITY : HOST_BASED", "use security:recommended", "use ROLE : Execute, Submit",
        "use FEATURE : GPUs", "use POLICY : ALWAYS_RUN_JOBS", "use security:recommended_v9_0", "use POLICY : PREEMPT_IF(X)",
    ]
    static let badTemplates = ["use ROLE : Nonesuch", "use FOO : bar", "use POLICY : PREEMPT_IF"]

    static let excludedNames = ["x.conf~", ".hidden", "y.rpmsave", "z.sh", "#w#"]

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    mutating func make() -> GeneratedConfig {
        var config = GeneratedConfig()
        var main = Self.helpers.map { "\($0.0) = \(pick($0.1))" }.joined(separator: "\n") + "\n"
        if chance(50) { main += chance(10) ? "[HTCondor settings]\n" : "[HTCondor]\n" }
        main += statements(count: Int.random(in: 3...9, using: &random), depth: 0, config: &config)
        if chance(40) {
            main += "LOCAL_CONFIG_DIR = @ROOT@/config.d\n"
            for index in 0..<Int.random(in: 1...3, using: &random) {
                config.files["config.d/\(index)0-part.conf"] = statements(count: Int.random(in: 1...4, using: &random), depth: 0, config: &config)
            }
            if chance(60) { config.files["config.d/" + pick(Self.excludedNames)] = "VM_MEMORY = 1\nVM_LIBVIRT_URI = excluded\n" }
        }
        if chance(30) {
            config.files["local1"] = statements(count: Int.random(in: 1...3, using: &random), depth: 0, config: &config)
            let missing = chance(30)
            main += "LOCAL_CONFIG_FILE = @ROOT@/local1\(missing ? ", @ROOT@/missing" : "")\n"
            if missing && chance(70) { main += "REQUIRE_LOCAL_CONFIG_FILE = false\n" }
        }
        config.files[config.main] = main
        environment(&config)
        return config
    }

    private mutating func environment(_ config: inout GeneratedConfig) {
        if chance(50) { config.environment["VMMEM"] = pick(["768", "4096"]) }
        if chance(50) { config.environment["URI"] = "test:///default" }
        if chance(30) { config.environment["GAHPLOG"] = "/tmp/env.log" }
        if chance(30) {
            let knob = pick(Array(Self.knobValues.keys).sorted())
            let prefix = chance(30) ? "_CONDOR_VM_GAHP." : pick(["_CONDOR_", "_condor_"])
            config.environment[prefix + knob] = pick(Self.knobValues[knob] ?? [])
        }
    }

    private mutating func statements(count: Int, depth: Int, config: inout GeneratedConfig) -> String {
        var text = ""
        for _ in 0..<count { text += statement(depth: depth, config: &config) }
        return text
    }

    private mutating func assignment() -> String {
        let knob = pick(Array(Self.knobValues.keys).sorted())
        let value = pick(Self.knobValues[knob] ?? [])
        let name = chance(20) ? "VM_GAHP." + knob : chance(10) ? "STARTD." + knob : chance(10) ? knob.lowercased() : knob
        if chance(10), value.count > 3 {
            // A continuation line splitting the value.
            let cut = value.index(value.startIndex, offsetBy: 2)
            return "\(name) = \(value[..<cut])\\\n\(value[cut...])\n"
        }
        if chance(8) { return "\(name) @=END\n\(value)\n@END\n" }
        return "\(name) = \(value)\n"
    }

    private mutating func statement(depth: Int, config: inout GeneratedConfig) -> String {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45:
            return assignment()
        case 45..<52:
            let (name, values) = pick(Self.helpers)
            return "\(name) = \(pick(values))\n"
        case 52..<72 where depth < 3:
            return conditional(depth: depth, config: &config)
        case 72..<78:
            return (chance(2) ? pick(Self.badTemplates) : pick(Self.templates)) + "\n"
        case 78..<84 where depth < 2:
            includes += 1
            let name = "inc\(includes).conf"
            config.files[name] = statements(count: Int.random(in: 1...3, using: &random), depth: depth + 1, config: &config)
            return pick(["include : @ROOT@/\(name)", "include ifexist : @ROOT@/\(name)", "@include : @ROOT@/\(name)"]) + "\n"
        case 84..<87:
            return chance(10) ? "include : @ROOT@/missing.conf\n" : "include ifexist : @ROOT@/missing.conf\n"
        case 87..<90:
            return chance(8) ? "error : generated stop\n" : "warning : generated note $(MEM)\n"
        case 90..<92:
            return "VM_MEMORY = $INT(\(pick(["LOGFILE", "MEM", "MEMTEXT", "MEM_EXPR", "SIZE", "TIMEOUT_EXPR"])))\n"
        default:
            return "# comment \(Int.random(in: 0..<1000, using: &random))\n" + assignment()
        }
    }

    private mutating func condition() -> String {
        chance(2) ? pick(Self.badConditions) : pick(Self.conditions)
    }

    private mutating func conditional(depth: Int, config: inout GeneratedConfig) -> String {
        var text = "if \(condition())\n" + statements(count: Int.random(in: 1...3, using: &random), depth: depth + 1, config: &config)
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            text += "elif \(condition())\n" + statements(count: Int.random(in: 1...2, using: &random), depth: depth + 1, config: &config)
        }
        if chance(50) { text += "else\n" + statements(count: Int.random(in: 1...2, using: &random), depth: depth + 1, config: &config) }
        return text + "endif\n"
    }
}
