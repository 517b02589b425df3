import ArgumentParser
import GAHPWire
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `condor_vm-gahp` program, given the drivers compiled into this binary.
///
/// Executables are thin: they pick the drivers (the composition root) and call `main`, so
/// the test binary runs exactly the same command line over an in-memory driver.
public enum VMGahpMain {
    public static func main(registry: DriverRegistry) async -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == UserSwitch.flag { UserSwitch.execute(Array(arguments.dropFirst())) }
        var environment: [String: String] = [:]
        for (key, value) in ProcessEnvironment.current { environment[key] = value }
        let invocation: Invocation
        do {
            invocation = try Invocation.parse(arguments)
        } catch {
            writeStandardError("condor_vm-gahp: \(error.reason)\n\(Invocation.usage)\n")
            exit(1)
        }
        switch invocation {
        case .help:
            print(HelpText.text, terminator: "")
            exit(0)
        case .manPage:
            print(HelpText.manPage, terminator: "")
            exit(0)
        case .version:
            print("condor_vm-gahp \(GAHPVersion.number), built \(GAHPVersion.buildDate); VM types: \(registry.supportedTypes.joined(separator: " "))")
            print(GAHPVersion.banner)
            exit(0)
        case .explainAd(let rest):
            do {
                let command = try ExplainAdCommand.parse(rest)
                try command.run(registry: registry, environment: environment)
                exit(0)
            } catch {
                ExplainAdCommand.exit(withError: error)
            }
        case .doctor(let rest):
            do {
                let command = try DoctorCommand.parse(rest)
                exit(await command.run(registry: registry, environment: environment))
            } catch {
                DoctorCommand.exit(withError: error)
            }
        case .server(let logToStderr, let interactive):
            // An admin at a terminal gets the interactive console; the starter's pipes never do.
            if let request = interactive ?? (isatty(STDIN_FILENO) == 1 ? InteractiveRequest() : nil) {
                ServerMode.run(
                    registry: registry, environment: InteractiveRequest.defaults(environment), logToStderr: logToStderr,
                    interactive: request)
            }
            ServerMode.run(registry: registry, environment: environment, logToStderr: logToStderr, interactive: nil)
        case .probe(let vmType, let logToStderr):
            await ProbeMode.run(registry: registry, vmType: vmType, environment: environment, logToStderr: logToStderr)
        case .kill(let vmType, let name, let logToStderr):
            await KillMode.run(registry: registry, vmType: vmType, name: name, environment: environment, logToStderr: logToStderr)
        }
    }
}

/// The process environment without Foundation's `ProcessInfo` (which costs start-up time).
enum ProcessEnvironment {
    static var current: [(String, String)] {
        var pairs: [(String, String)] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
            pointer += 1
        }
        return pairs
    }
}
