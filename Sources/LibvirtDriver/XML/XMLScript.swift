import FoundationEssentials
import Glibc
import Logging
import Subprocess
import VMCore

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// HTCondor's `LIBVIRT_XML_SCRIPT` contract: an admin's program that writes the domain XML.
///
/// It runs with the job ad on stdin (plus the lines HTCondor adds), never through a
/// shell, under a timeout; its stdout lines are concatenated without separators. Any
/// failure (missing file, non-zero exit, timeout, empty output) means "use the built-in
/// generator", as in HTCondor.
struct XMLScript: Sendable {
    var path: String
    var arguments: [String]
    var timeout: Duration

    /// The ad text HTCondor feeds the script: the ad, `VMPARAM_VM_NAME`, and the Xen and
    /// networking lines a script expects even when the job did not set them.
    static func input(for job: JobDescription, bridgeInterface: String?, xenBootloader: String?) -> String {
        var lines = job.adLines
        func has(_ name: String) -> Bool {
            lines.contains { (line: String) -> Bool in
                guard let key = line.split(separator: "=", maxSplits: 1).first else { return false }
                return String(key).trimmed.lowercased() == name.lowercased()
            }
        }
        func quoted(_ s: String) -> String {
            "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        if !has("VM_WORKING_DIR") { lines.insert("VM_WORKING_DIR = \(quoted(job.workingDirectory))", at: 0) }
        lines.append("VMPARAM_VM_NAME = \(quoted(job.name))")
        lines.append("VMPARAM_Xen_Bootloader = \(quoted(job.vmType == "xen" ? xenBootloader ?? "" : ""))")
        if !has("VMPARAM_Xen_Initrd") { lines.append("VMPARAM_Xen_Initrd = \"\"") }
        if let bridgeInterface { lines.append("VMPARAM_Bridge_Interface = \(quoted(bridgeInterface))") }
        if !has("JobVMNetworkingType") { lines.append("JobVMNetworkingType = \"\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script's XML, or `nil` when the built-in generator must be used.
    func run(input: String, logger: Logger) async -> String? {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            logger.info("LIBVIRT_XML_SCRIPT \(path) is not an executable file; using the built-in domain XML")
            return nil
        }
        let script = self
        do {
            // The ad goes in through an unlinked temporary file rather than a pipe, so a
            // script that exits without reading it cannot break the write (EPIPE/SIGPIPE).
            let stdin = try Self.anonymousFile(holding: input)
            let result = try await withTimeout(script.timeout) { () async throws -> (Bool, String?, String?) in
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
                let outcome = try await Subprocess.run(
                    .path(FilePath(script.path)), arguments: Arguments(script.arguments),
                    platformOptions: options, input: .fileDescriptor(stdin, closeAfterSpawningProcess: true),
                    output: .string(limit: 4 << 20), error: .string(limit: 64 << 10))
                return (outcome.terminationStatus.isSuccess, outcome.standardOutput, outcome.standardError)
            }
            if let stderr = result.2, !stderr.isEmpty { logger.info("LIBVIRT_XML_SCRIPT stderr: \(stderr)") }
            guard result.0 else {
                logger.warning("LIBVIRT_XML_SCRIPT \(path) failed; using the built-in domain XML")
                return nil
            }
            let xml = (result.1 ?? "").split(separator: "\n", omittingEmptySubsequences: false).joined()
            guard !xml.trimmed.isEmpty else {
                logger.warning("LIBVIRT_XML_SCRIPT \(path) printed nothing; using the built-in domain XML")
                return nil
            }
            return xml
        } catch {
            logger.warning("LIBVIRT_XML_SCRIPT \(path) did not finish within \(timeout) (\(error)); using the built-in domain XML")
            return nil
        }
    }

    private static func anonymousFile(holding text: String) throws -> FileDescriptor {
        let path = FilePath(ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp").appending("vmgahp-ad-\(UUID().uuidString)")
        let fd = try FileDescriptor.open(
            path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        _ = unlink(path.string)
        do {
            _ = try fd.writeAll(Array(text.utf8))
            _ = try fd.seek(offset: 0, from: .start)
        } catch {
            try? fd.close()
            throw error
        }
        return fd
    }

    /// Splits `LIBVIRT_XML_SCRIPT_ARGS` as HTCondor does: V2 syntax when the value starts
    /// with a double quote (blank-separated, single quotes group, `''` is a literal
    /// quote), otherwise V1 (split on blanks).
    static func splitArguments(_ raw: String) -> [String] {
        let trimmed = raw.trimmed
        guard trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") else {
            return trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        let body = Array(trimmed.dropFirst().dropLast())
        var args: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var i = 0
        while i < body.count {
            let ch = body[i]
            if ch == "'" {
                if quoted, i + 1 < body.count, body[i + 1] == "'" {
                    current.append("'")
                    i += 1
                } else {
                    quoted.toggle()
                }
                inWord = true
            } else if !quoted, ch == " " || ch == "\t" {
                if inWord { args.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(ch)
                inWord = true
            }
            i += 1
        }
        if inWord { args.append(current) }
        return args
    }
}
