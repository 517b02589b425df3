import FakeDriver
import VMCore
import VMGahpCommand

/// condor_vm-gahp over the in-memory fake driver, for tests that spawn a real process
/// without a hypervisor. Its misbehaviour comes from `VMGAHP_FAKE_*` variables.
let registry = DriverRegistry([
    DriverRegistry.Entry(vmTypes: ["xen", "kvm"]) { context in
        FakeDriver(behaviour: FakeBehaviour(environment: context.environment), policy: context.policy)
    }
])
await VMGahpMain.main(registry: registry)
