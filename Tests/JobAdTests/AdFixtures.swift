import ClassAd
import Foundation
import TestSupport
import VMCore
@testable import JobAd

/// Corpus ads moved into a test's workspace, and helpers to vary them.
struct AdFixture {

    var lines: [String]

    /// `NAME.ad` from `Tests/Fixtures/jobads`, with `VM_WORKING_DIR` and every path pointing into `space`.
    init(corpus name: String, in space: Workspace) throws {
        lines = try JobAdFixture.lines(name, workingDirectory: space.workingDirectory)
    }

    /// Replaces (or, with nil, removes) the attribute `name`, appending it when absent.
    func setting(_ name: String, _ expression: String?) -> AdFixture {
        var copy = self
        let key = name.lowercased()
        let index = copy.lines.firstIndex { $0.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } == key }
        switch (index, expression) {
        case let (index?, expression?): copy.lines[index] = "\(name) = \(expression)"
        case let (index?, nil): copy.lines.remove(at: index)
        case let (nil, expression?): copy.lines.append("\(name) = \(expression)")
        case (nil, nil): break
        }
        return copy
    }

    var ad: ClassAd { ClassAd.parse(lines: lines).ad }

    func describe(
        policy: HostPolicy = .testHost, requestedType: String? = nil, gahpType: String? = nil, jobUser: FileOwner? = .testJobUser
    ) throws(VMGAHPError) -> JobDescription {
        let type = ad.string("JobVMType") ?? "kvm"
        return try JobAdReader.describe(
            ad, adLines: lines, requestedType: requestedType ?? type, gahpType: gahpType ?? type, policy: policy, jobUser: jobUser)
    }

    /// The refusal `describe` produces, or nil when it accepts the ad.
    func refusal(
        policy: HostPolicy = .testHost, requestedType: String? = nil, gahpType: String? = nil, jobUser: FileOwner? = .testJobUser
    ) -> VMGAHPError? {
        do {
            _ = try describe(policy: policy, requestedType: requestedType, gahpType: gahpType, jobUser: jobUser)
            return nil
        } catch {
            return error
        }
    }
}

extension HostPolicy {
    /// A generous host: 4 GiB, 4 CPUs, nat and bridge on br0, hardware VT, pygrub.
    static let testHost = HostPolicy(
        maxMemoryMiB: 4096, networkingEnabled: true, networkingTypes: [.nat, .bridge], defaultNetworkingType: .nat,
        bridgeInterface: "br0", hardwareVT: true, xenBootloader: "/usr/bin/pygrub", hostCPUs: 4)

    func with(_ change: (inout HostPolicy) -> Void) -> HostPolicy {
        var copy = self
        change(&copy)
        return copy
    }
}
