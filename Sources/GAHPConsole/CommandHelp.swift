import GAHPServer

/// `HELP` and `HELP <command>`: what each command does and what it takes, for an admin.
/// The arity comes from the engine's command table, so help cannot disagree with it.
enum CommandHelp {
    struct Topic {
        var names: [String]
        var arguments: String
        var summary: String
    }

    /// Commands only the interactive mode knows; they never reach the engine.
    static let consoleTopics: [Topic] = [
        Topic(names: ["HELP"], arguments: "[command]", summary: "This list, or what one command does."),
        Topic(names: ["CLASSAD_FILE"], arguments: "<path>",
            summary: "Sends the job ad in a file (the starter's line format, as condor_vm-gahp explain-ad reads it) between CLASSAD and CLASSAD_END."),
    ]

    static let topics: [Topic] = consoleTopics + [
        Topic(names: ["CONDOR_VM_START", "VM_START"], arguments: "[reqid] [vmtype]",
            summary: "Starts a VM from the job ad sent last; the result carries the new VM's id. Default type: the gahp's."),
        Topic(names: ["CONDOR_VM_STATUS", "VM_STATUS"], arguments: "[reqid] <vmid>",
            summary: "Reports the VM's state (Running, Suspended, Stopped) and, while it runs, its pid, CPU and memory."),
        Topic(names: ["CONDOR_VM_STOP", "VM_STOP"], arguments: "[reqid] <vmid>",
            summary: "Shuts the guest down (ACPI, then destroy after VM_GAHP_STOP_GRACE seconds)."),
        Topic(names: ["CONDOR_VM_SUSPEND", "VM_SUSPEND"], arguments: "[reqid] <vmid>",
            summary: "Saves the guest's memory to a file and frees the host's resources."),
        Topic(names: ["CONDOR_VM_SOFT_SUSPEND", "VM_SOFT_SUSPEND"], arguments: "[reqid] <vmid>",
            summary: "Pauses the guest's CPUs, keeping its memory."),
        Topic(names: ["CONDOR_VM_RESUME", "VM_RESUME"], arguments: "[reqid] <vmid>", summary: "Undoes a suspend."),
        Topic(names: ["CONDOR_VM_CHECKPOINT", "VM_SNAPSHOT"], arguments: "[reqid] <vmid>",
            summary: "Saves a checkpoint the job's next run restarts from (jobs with vm_checkpoint = true)."),
        Topic(names: ["CONDOR_VM_GETPID", "VM_GETPID"], arguments: "[reqid] <vmid>", summary: "The host process that runs the guest."),
        Topic(names: ["CLASSAD"], arguments: "", summary: "Starts a job ad: type its `Name = value` lines, then CLASSAD_END."),
        Topic(names: ["CLASSAD_END"], arguments: "", summary: "Ends the job ad being typed."),
        Topic(names: ["RESULTS"], arguments: "", summary: "Collects finished results (done for you here: they print as they complete)."),
        Topic(names: ["VERSION"], arguments: "", summary: "The gahp's version banner."),
        Topic(names: ["COMMANDS"], arguments: "", summary: "Every command the protocol knows."),
        Topic(names: ["SUPPORT_VMS"], arguments: "", summary: "The VM types this gahp serves."),
        Topic(names: ["ASYNC_MODE_ON", "ASYNC_MODE_OFF"], arguments: "",
            summary: "Whether the gahp announces finished results with `R` (on here, so results print by themselves)."),
        Topic(names: ["QUIT"], arguments: "", summary: "Destroys every VM of this session and exits. Ctrl-D does the same."),
    ]

    /// Every word the first-word completion offers.
    static var names: [String] { topics.flatMap(\.names) }

    static func topic(_ word: String) -> Topic? {
        let name = word.uppercased()
        return topics.first { $0.names.contains(name) }
    }

    static var overview: String {
        var text = "Commands (any case; request ids are numbered for you when left out):\n"
        for topic in topics {
            let usage = ([topic.names[0]] + (topic.arguments.isEmpty ? [] : [topic.arguments])).joined(separator: " ")
            text += "  " + usage.padded(to: 40) + firstSentence(topic.summary) + "\n"
        }
        text += "Line editing: arrows, Home/End, Ctrl-A/E/K/U/W, Up/Down for history, Tab completes a command.\n"
        return text
    }

    static func detail(_ word: String) -> String {
        guard let topic = topic(word) else {
            return "No command '\(word)'. HELP lists them.\n"
        }
        var text = "\(topic.names.joined(separator: ", ")) \(topic.arguments)".trimmedRight + "\n  \(topic.summary)\n"
        if let entry = GAHPCommand.entry(named: topic.names[0]), entry.arity == 3 {
            text += "  On the wire: \(entry.name) <reqid> <\(entry.command == .vm(.start) ? "vmtype" : "vmid")>\n"
        }
        return text
    }

    private static func firstSentence(_ text: String) -> String {
        guard let end = text.firstIndex(of: ".") else { return text }
        return String(text[...end])
    }
}

extension String {
    func padded(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    var trimmedRight: String { String(reversed().drop(while: \.isWhitespace).reversed()) }
}
