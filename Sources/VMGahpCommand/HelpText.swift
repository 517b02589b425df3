import GAHPWire

/// The one description of the command line, rendered as `--help` (text) and as the man
/// page `condor_vm-gahp.1` (`--man-page`, roff), so the two cannot drift apart.
enum HelpText {
    struct Item {
        var term: String
        var text: String
    }

    static let synopsis: [Item] = [
        Item(term: "[-f] [-t] -M 3", text: "serve the GAHP protocol on stdin/stdout (the starter's way)"),
        Item(term: "[-f] [-t] -M 0 vmtype <vmtype>", text: "probe: print the machine attributes the startd publishes"),
        Item(term: "[-f] [-t] -M 4 vmtype <vmtype> match <name>", text: "destroy the VM with that name"),
        Item(term: "[-t] [--interactive] [--job-ad <file>] [-M 3]", text: "the server for an admin at a terminal"),
        Item(term: "doctor [<vmtype>] [--start-test] [--json]", text: "check this host, with a fix for each problem"),
        Item(term: "explain-ad <file> [--json] [--vmtype <vmtype>]", text: "what the gahp makes of a job ad"),
        Item(term: "--help | --version | --man-page", text: "this text, the version and build date, the man page"),
    ]

    static let description = [
        "condor_vm-gahp is the helper HTCondor runs for vm universe jobs, jobs that are whole virtual machines. The startd runs it with -M 0 to learn whether this host can run VMs; the starter runs one per job with -M 3 and talks to it over pipes; both use -M 4 to clean up. This implementation is a drop-in replacement for HTCondor's, driving KVM and Xen through libvirt.",
        "Started by hand on a terminal (or with --interactive), the server is interactive: commands in any case, request ids numbered for you, CLASSAD_FILE <path> to send a job ad, results printed as they complete, every VMGAHP_ERR_* token explained with what the starter would do about it, HELP, line editing and history. Anywhere else the protocol is exactly HTCondor's.",
    ]

    static let options: [Item] = [
        Item(term: "-f", text: "Stay in the foreground (always; accepted for DaemonCore compatibility)."),
        Item(term: "-t", text: "Log to stderr instead of VM_GAHP_LOG."),
        Item(term: "-M <mode>", text: "0 probe, 3 server (1 is treated as 3), 4 kill."),
        Item(term: "--interactive", text: "The interactive server even when stdin is not a terminal (lines are then read whole)."),
        Item(term: "--job-ad <file>", text: "Interactive, and send this job ad before the first prompt."),
        Item(term: "--man-page", text: "Print this text as the roff man page condor_vm-gahp(1)."),
    ]

    static let environment: [Item] = [
        Item(term: "CONDOR_CONFIG", text: "HTCondor's configuration file (default /etc/condor/condor_config); ONLY_ENV to use _CONDOR_* variables only."),
        Item(term: "VMGAHP_VMTYPE", text: "The VM type the server serves (set by the starter; interactive default: VM_TYPE)."),
        Item(term: "VMGAHP_WORKING_DIR", text: "The job's directory (set by the starter; interactive default: the current directory)."),
        Item(term: "VMGAHP_USER_UID, VMGAHP_USER_GID", text: "Who files created in the job's directory must belong to."),
        Item(term: "_CONDOR_<NAME>", text: "Overrides the configuration setting NAME, as for every HTCondor daemon."),
    ]

    static let settings: [Item] = [
        Item(term: "VM_TYPE, VM_MEMORY", text: "The type of VM jobs this host runs and the most MiB one VM may have (required)."),
        Item(term: "VM_NETWORKING, VM_NETWORKING_TYPE, VM_NETWORKING_DEFAULT_TYPE, VM_NETWORKING_BRIDGE_INTERFACE", text: "Networking for jobs: nat (libvirt's network 'default'), bridge, user."),
        Item(term: "VM_GAHP_LOG, MAX_VM_GAHP_LOG, VM_GAHP_DEBUG", text: "The gahp's log, as in HTCondor."),
        Item(term: "VM_LIBVIRT_URI", text: "The libvirt connection (default qemu:///session for kvm, xen:/// for xen)."),
        Item(term: "VM_LIBVIRT_DOMAIN_TYPE, VM_LIBVIRT_CPU_MODE", text: "kvm, qemu (software emulation) or auto; the guest CPU model."),
        Item(term: "VM_GAHP_REQ_TIMEOUT, VM_GAHP_STOP_GRACE", text: "Seconds one hypervisor call may take; seconds between ACPI shutdown and destroy."),
        Item(term: "VM_GAHP_DISK_ROOTS", text: "Shared storage job disks may live on besides the job's directory."),
        Item(term: "XEN_BOOTLOADER", text: "pygrub, for Xen jobs with xen_kernel = included."),
    ]

    static let exitStatus = "0 on success; 1 on a usage error, a configuration the gahp cannot run with, or (probe) a host that cannot run the VM type, which disables the VM universe. doctor exits 1 when the host cannot run VM jobs of the type."

    static let seeAlso = "condor_starter(1), condor_startd(1), virsh(1); the HTCondor manual's chapter on the vm universe."

    /// What a usage error prints (stderr) after its reason.
    static var usage: String {
        "Usage:\n" + synopsis.map { "  condor_vm-gahp " + $0.term.padded(to: 48) + $0.text }.joined(separator: "\n")
    }

    /// `--help`.
    static var text: String {
        var out = usage + "\n\n" + description.map { wrap($0, indent: "") }.joined(separator: "\n\n") + "\n"
        out += section("Options", options)
        out += section("Environment", environment)
        out += section("Configuration (HTCondor's, as the gahp reads it)", settings)
        out += "\nExit status:\n" + wrap(exitStatus, indent: "  ") + "\n"
        return out
    }

    /// `--man-page`: `condor_vm-gahp.1`.
    static var manPage: String {
        var out = ".\\\" Generated by condor_vm-gahp --man-page from the text of --help; do not edit.\n"
        out += ".TH CONDOR_VM-GAHP 1 \"\(GAHPVersion.buildDate)\" \"vmgahp \(GAHPVersion.number)\" \"HTCondor\"\n"
        out += ".SH NAME\ncondor_vm-gahp \\- HTCondor's helper for vm universe jobs (vmgahp)\n.SH SYNOPSIS\n"
        out += synopsis.map { ".B condor_vm-gahp\n" + roff($0.term) + "\n.br" }.joined(separator: "\n") + "\n"
        out += ".SH DESCRIPTION\n" + description.map(roff).joined(separator: "\n.PP\n") + "\n"
        out += ".PP\nModes and subcommands:\n" + manItems(synopsis.map { Item(term: "condor_vm-gahp " + $0.term, text: $0.text) })
        out += ".SH OPTIONS\n" + manItems(options)
        out += ".SH ENVIRONMENT\n" + manItems(environment)
        out += ".SH CONFIGURATION\nRead from HTCondor's configuration, as every HTCondor daemon reads it.\n" + manItems(settings)
        out += ".SH \"EXIT STATUS\"\n" + roff(exitStatus) + "\n"
        out += ".SH \"SEE ALSO\"\n" + roff(seeAlso) + "\n"
        return out
    }

    private static func section(_ title: String, _ items: [Item]) -> String {
        "\n\(title):\n" + items.map { "  \($0.term)\n" + wrap($0.text, indent: "      ") }.joined(separator: "\n") + "\n"
    }

    private static func manItems(_ items: [Item]) -> String {
        items.map { ".TP\n.B " + roff($0.term) + "\n" + roff($0.text) + "\n" }.joined()
    }

    /// Text safe in a roff line: backslashes doubled, hyphens literal, no leading `.` or `'`.
    private static func roff(_ text: String) -> String {
        var out = text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    /// Words wrapped at 100 columns.
    private static func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count > indent.count, line.count + 1 + word.count > 100 {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padded(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
