import GAHPConsole
import HTCondorConfig
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// The admin asked for (or is at a terminal and gets) the interactive console.
struct InteractiveRequest: Equatable {
    /// `--job-ad FILE`: a job ad to send before the first prompt.
    var jobAdFile: String?

    /// An admin starting the gahp by hand has no starter to set `VMGAHP_VMTYPE` and
    /// `VMGAHP_WORKING_DIR`: default them to the configured `VM_TYPE` and the current directory.
    static func defaults(_ environment: [String: String]) -> [String: String] {
        var filled = environment
        if filled["VMGAHP_VMTYPE", default: ""].isEmpty {
            let configured = (try? HTCondorConfig.load(environment: environment))?.value("VM_TYPE")
            filled["VMGAHP_VMTYPE"] = configured.map { String($0.split(separator: " ").first ?? "kvm") } ?? "kvm"
        }
        if filled["VMGAHP_WORKING_DIR", default: ""].isEmpty, let cwd = getcwd(nil, 0) {
            filled["VMGAHP_WORKING_DIR"] = String(cString: cwd)
            free(cwd)
        }
        return filled
    }

    func console(vmType: String, workingDirectory: String, registry: DriverRegistry, environment: [String: String], terminal: Int32) -> Console {
        Console(
            options: Console.Options(
                vmType: vmType, workingDirectory: workingDirectory, supportedTypes: registry.supportedTypes,
                jobAdFile: jobAdFile, readFile: { readAll(path: $0) }, environment: environment),
            input: STDIN_FILENO, output: terminal)
    }
}
