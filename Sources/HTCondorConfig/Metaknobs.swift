/// `use CATEGORY : NAME[(ARGS)] [NAME…]` lines: HTCondor's configuration templates.
///
/// HTCondor keeps the templates' text inside its binaries. None of HTCondor 25.14's templates
/// sets a knob the gahp reads (VM_*, XEN_*, LIBVIRT_*, the gahp's log and debug knobs, the
/// LOCAL_CONFIG_* knobs): they set daemon lists, security and startd policy. So the gahp checks
/// a `use` line the way HTCondor does (the category and every name must exist, and the
/// templates that demand arguments must get them) and then applies nothing. What that cannot
/// reproduce: a knob the gahp reads whose value refers to a knob only a template sets.
enum Metaknobs {
    /// HTCondor 25.14's categories and template names (lower case), with the number of
    /// arguments a template refuses to run without.
    static let catalogue: [String: [String: Int]] = [
        "role": [
            "centralmanager": 0, "execute": 0, "get_htcondor_central_manager": 0, "get_htcondor_execute": 0,
            "get_htcondor_submit": 0, "personal": 0, "submit": 0,
        ],
        "policy": [
            "always_run_jobs": 0, "desktop": 0, "desktop_hours": 0, "desktop_idle": 0, "hold_if_cpus_exceeded": 0,
            "hold_if_disk_exceeded": 0, "hold_if_memory_exceeded": 0, "hold_if_runtime_exceeds": 0,
            "limit_job_runtimes": 0, "onlyregisteredcheckpointdestinations": 0, "preempt_if": 1,
            "preempt_if_cpus_exceeded": 0, "preempt_if_disk_exceeded": 0, "preempt_if_memory_exceeded": 0,
            "preempt_if_runtime_exceeds": 0, "startd_publish_cpususage": 0, "uwcs_desktop": 0, "want_hold_if": 3,
        ],
        "feature": [
            "adstash": 0, "assignaccountinggroup": 1, "assignprojectname": 1, "childcollector": 0,
            "commoncloudattributesaws": 0, "commoncloudattributesgoogle": 0, "continuouscronhook": 3,
            "defaultcheckpointdestination": 0, "ganglia": 0, "gpus": 0, "gpusmonitor": 0, "hpc_annex": 0,
            "jobshaveinstanceids": 0, "krb": 0, "librarian": 0, "monitor": 5, "oauth": 0, "oneshotcronhook": 3,
            "partitionableslot": 0, "pelicancache": 0, "pelicanretrypolicy": 0, "periodiccronhook": 4,
            "policy_expr_fragments": 0, "policy_hours_to_start": 0, "remote_config": 0, "remote_runtime_config": 0,
            "scheddcroncontinuous": 2, "scheddcrononeshot": 2, "scheddcronperiodic": 3, "scheddusermapfile": 2,
            "setjobattrfromusermap": 3, "startdcroncontinuous": 2, "startdcrononeshot": 2, "startdcronperiodic": 3,
            "staticslots": 0, "testingmode_policy_values": 0, "uwcs_desktop_policy_values": 0,
        ],
        "security": [
            "fips": 0, "get_htcondor_idtokens": 0, "host_based": 0, "recommended": 0, "recommended_v24_0": 0,
            "recommended_v9_0": 0, "strong": 0, "user_based": 0, "with_authentication": 0,
        ],
    ]

    /// One template named on a `use` line.
    struct Use: Equatable {
        var category: String
        var name: String
        var arguments: [String]
    }

    /// The templates a `use` line names, or why HTCondor would refuse it.
    static func parse(_ text: String) throws(ConfigError) -> [Use] {
        func refuse(_ message: String) -> ConfigError { ConfigError(message: message) }
        guard let colon = text.firstIndex(of: ":") else {
            throw refuse("'use' needs CATEGORY : NAME")
        }
        let category = text[..<colon].trimmed
        guard let names = catalogue[category.lowercased()] else {
            throw refuse("'use \(category)': unknown template category (HTCondor has ROLE, POLICY, FEATURE, SECURITY)")
        }
        var uses: [Use] = []
        for item in items(text[text.index(after: colon)...]) {
            let (name, arguments) = split(item)
            guard let required = names[name.lowercased()] else {
                throw refuse("'use \(category) : \(name)': HTCondor has no such template")
            }
            guard arguments.count >= required, arguments.prefix(required).allSatisfy({ !$0.isEmpty }) else {
                throw refuse("'use \(category) : \(name)' needs at least \(required) argument(s)")
            }
            uses.append(Use(category: category.lowercased(), name: name.lowercased(), arguments: arguments))
        }
        guard !uses.isEmpty else { throw refuse("'use \(category)' names no template") }
        return uses
    }

    /// `CATEGORY` or `CATEGORY:NAME`, as `if defined use …` asks.
    static func exists(_ reference: Substring) -> Bool {
        let parts = reference.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let names = catalogue[parts[0].lowercased()] else { return false }
        guard parts.count > 1, !parts[1].isEmpty else { return true }
        return names[parts[1].lowercased()] != nil
    }

    /// Template names separated by commas or white space outside parentheses.
    private static func items(_ text: Substring) -> [Substring] {
        var result: [Substring] = []
        var depth = 0
        var start = text.startIndex
        var index = text.startIndex
        func flush() {
            let item = text[start..<index].drop(while: \.isWhitespace)
            if !item.isEmpty { result.append(item) }
        }
        while index < text.endIndex {
            let character = text[index]
            if character == "(" { depth += 1 }
            if character == ")" { depth = max(0, depth - 1) }
            if depth == 0 && (character == "," || character.isWhitespace) {
                flush()
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        flush()
        return result
    }

    /// `NAME(a, b)` into the name and its trimmed arguments.
    private static func split(_ item: Substring) -> (String, [String]) {
        guard let open = item.firstIndex(of: "(") else { return (item.trimmed, []) }
        var inside = item[item.index(after: open)...]
        if inside.last == ")" { inside = inside.dropLast() }
        let arguments = inside.trimmed.isEmpty ? [] : inside.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmed)
        return (item[..<open].trimmed, arguments)
    }
}
