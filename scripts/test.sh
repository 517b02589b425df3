#!/usr/bin/env bash
# The README's second command: install what is needed, then run every test.
#   unit and integration tests (swift test; libvirt's test:///default needs no daemon),
#   end-to-end tests on a real libvirtd with a real KVM guest (TCG where /dev/kvm is missing),
#   the protocol conformance suite against the built binaries,
#   and bounded fuzzing of the ClassAd parser and of the GAHP line reader and dispatcher.
# libvirtd is started only when none answers, and then stopped again by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

bash scripts/install-deps.sh
bash scripts/libvirtd-ctl.sh start
trap 'bash scripts/libvirtd-ctl.sh stop' EXIT

swift build --build-tests 2>&1 | grep -E "error|warning: |Compiling|Build" | grep -v Compiling || true
swift test --skip-build 2>&1 | tee .build/swift-test.log | grep -E "^(✘|✔ Suite|✔ Test run|.*skipped|.*SKIP)" || true
grep -qE "^✔ Test run with [0-9]+ tests? .*passed" .build/swift-test.log || { grep -E "✘" .build/swift-test.log | head -50; exit 1; }

echo "== protocol conformance: fake-driver binary"
.build/debug/gahp-conformance --gahp .build/debug/vm-gahp-fake --feature fake-driver protocol-spec/cases
echo "== protocol conformance: condor_vm-gahp on libvirt's test:///default"
.build/debug/gahp-conformance --gahp .build/debug/condor_vm-gahp --feature libvirt-test \
  --config 'VM_LIBVIRT_URI = test:///default' --env VMGAHP_USER_UID=65534 protocol-spec/cases

# The interop suite: HTCondor's own starter and a personal pool per gahp, every scenario with our
# gahp and with HTCondor's (README, "Under HTCondor itself"); without the bundle it says why and passes.
echo "== interop: HTCondor's starter and pool, with our gahp and HTCondor's own"
bash scripts/interop.sh

echo "== fuzzing (${FUZZ_SECONDS} s each)"
bash scripts/fuzz.sh classad "$FUZZ_SECONDS"
bash scripts/fuzz.sh wire "$FUZZ_SECONDS"
