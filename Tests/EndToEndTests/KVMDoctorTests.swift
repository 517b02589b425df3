import Foundation
import Testing
import TestSupport

extension KVMEndToEnd {
    /// `condor_vm-gahp doctor` on the real KVM host, serialized with the other tests on the real
    /// libvirtd (one of them kills and restarts it).
    @Suite struct Doctor {
        /// The real host, with a real guest started and destroyed; skipped only without /dev/kvm.
        @Test func healthyKVMHost() async throws {
            guard FileManager.default.fileExists(atPath: "/dev/kvm"), getuid() == 0 else {
                print("SKIP KVMEndToEnd.Doctor.healthyKVMHost: needs /dev/kvm and root")
                return
            }
            let daemon = try LibvirtDaemon.ensure()
            defer { daemon.stopIfOurs() }
            let doctor = try DoctorRun()
            let (status, output) = try await doctor(
                ["kvm", "--start-test", "--json"], config: ["VM_LIBVIRT_URI = qemu:///system", "VM_NETWORKING = false"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
            let checks = try #require(report["checks"] as? [[String: Any]])
            func check(_ title: String) -> [String: Any]? { checks.first { $0["title"] as? String == title } }
            // Guests must never outlive a test, whatever the doctor said.
            if let detail = check("start test")?["detail"] as? String, let name = detail.split(separator: " ").first {
                KVMHost.destroy([String(name)])
            }
            #expect(status == 0, "\(output)")
            #expect(report["canRunJobs"] as? Bool == true)
            #expect(check("/dev/kvm")?["status"] as? String == "pass")
            #expect((check("libvirt at qemu:///system")?["detail"] as? String)?.contains("hypervisor QEMU") == true)
            #expect(check("kvm domains")?["status"] as? String == "pass")
            #expect(check("start test")?["status"] as? String == "pass", "\(output)")
            #expect((report["attributes"] as? [String])?.contains("VM_Networking = FALSE") == true)
        }
    }
}
