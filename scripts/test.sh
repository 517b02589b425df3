#!/usr/bin/env bash
# The README's second command: install what is needed, then run every test.
#   unit and integration tests (swift test; libvirt's test:///default needs no daemon),
#   end-to-end tests on a real libvirtd with a real KVM guest (TCG where /dev/kvm is missing),
#   the protocol conformance suite against the built binaries,
#   the Debian package and scripts/install (installed, checked, removed without a trace),
#   and bounded fuzzing of the ClassAd parser, the GAHP line reader and dispatcher, and the
#   disk image header reader.
# libvirtd is started only when none answers, and then stopped again by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

bash scripts/install-deps.sh
bash scripts/libvirtd-ctl.sh start
trap 'bash scripts/libvirtd-ctl.sh stop' EXIT

# The HTCondor bundle the comparison tests run against, unpacked (and its runtime packages
# installed) once, before the tests that use it run in parallel; without one they skip and say why.
bash scripts/htcondor-bundle.sh >/dev/null || echo "(no HTCondor bundle: the tests comparing with HTCondor are skipped)"

swift build --build-tests 2>&1 | grep -E "error|warning: |Compiling|Build" | grep -v Compiling || true
swift test --skip-build 2>&1 | tee .build/swift-test.log | grep -E "^(✘|✔ Suite|✔ Test run|.*skipped|.*SKIP)" || true
grep -qE "^✔ Test run with [0-9]+ tests? .*passed" .build/swift-test.log || { grep -E "✘" .build/swift-test.log | head -50; exit 1; }

echo "== protocol conformance: fake-driver binary"
.build/debug/gahp-conformance --gahp .build/debug/vm-gahp-fake --feature fake-driver protocol-spec/cases
echo "== protocol conformance: condor_vm-gahp on libvirt's test:///default"
.build/debug/gahp-conformance --gahp .build/debug/condor_vm-gahp --feature libvirt-test \
  --config 'VM_LIBVIRT_URI = test:///default' --env VMGAHP_USER_UID=65534 protocol-spec/cases
# The conformance suite also runs on the real libvirtd, and against HTCondor's own gahp where its
# bundle is beside the checkout. Real guests, two cases at a time, on the shared daemon: each case
# names its VMs from a ClusterId of its own and destroys them with kill mode. The guests cannot boot
# (blank disks), so they ignore STOP's ACPI request: a 1 s grace instead of 10 s saves 9 s per STOP
# and takes the same path.
echo "== protocol conformance: condor_vm-gahp on the real libvirtd (qemu:///system)"
.build/debug/gahp-conformance --gahp .build/debug/condor_vm-gahp --feature guests \
  --config 'VM_LIBVIRT_URI = qemu:///system' --config 'VM_GAHP_STOP_GRACE = 1' \
  --env VMGAHP_USER_UID=65534 --jobs 2 protocol-spec/cases
echo "== protocol conformance: HTCondor's own condor_vm-gahp (cases marked differs must fail)"
bash scripts/conformance-htcondor.sh

echo "== condor_vm_vmware alone (prove) against the simulated vmrun and vmware-cmd"
prove Tests/VMwareSimulator/t

echo "== Debian package and scripts/install: build, dpkg -i, the installed gahp's probe, doctor and conformance, dpkg -r"
bash scripts/check-package.sh

# The interop suite: HTCondor's own starter and a personal pool per gahp, every scenario with our
# gahp and with HTCondor's (README, "Under HTCondor itself"); without the bundle it says why and passes.
echo "== interop: HTCondor's starter and pool, with our gahp and HTCondor's own"
bash scripts/interop.sh

echo "== fuzzing (${FUZZ_SECONDS} s each)"
bash scripts/fuzz.sh classad "$FUZZ_SECONDS"
bash scripts/fuzz.sh wire "$FUZZ_SECONDS"
bash scripts/fuzz.sh image "${IMAGE_FUZZ_SECONDS:-30}"
