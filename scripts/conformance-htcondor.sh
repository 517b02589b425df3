#!/bin/bash
# conformance-htcondor.sh - the protocol conformance cases against HTCondor's own condor_vm-gahp.
#
# The suite must describe HTCondor, not only us: with --htcondor the runner fails the run when a
# case fails that is not marked `differs §X` (a deliberate difference listed in spec §10), or
# when a case so marked passes. The cases that start real KVM guests run too (`--feature guests`
# on the libvirtd at qemu:///system, where HTCondor's qemu:///session leads root), with the
# bundle's XML script without `<cpu mode='host-passthrough'/>`, which nested KVM cannot run.
# Prints `SKIP: <reason>` and exits 0 where there is no HTCondor (scripts/htcondor-bundle.sh),
# no /dev/kvm or no libvirtd (HTCondor's gahp refuses to start in server mode without them).
#   scripts/conformance-htcondor.sh [RUNNER]     RUNNER defaults to .build/debug/gahp-conformance
set -euo pipefail
cd "$(dirname "$0")/.."
runner=${1:-.build/debug/gahp-conformance}

reasons=$(mktemp)
trap 'rm -f "$reasons"' EXIT
status=0
bundle=$(bash scripts/htcondor-bundle.sh 2>"$reasons") || status=$?
if [ "$status" = 3 ]; then echo "SKIP: $(tail -1 "$reasons")"; exit 0; fi
[ "$status" = 0 ] || { cat "$reasons" >&2; exit "$status"; }
gahp=$bundle/sbin/condor_vm-gahp
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: HTCondor's gahp needs a usable /dev/kvm"; exit 0; }
virsh --connect qemu:///system version >/dev/null 2>&1 ||
  { echo "SKIP: HTCondor's gahp needs a libvirtd at qemu:///system (scripts/libvirtd-ctl.sh start)"; exit 0; }

# As root HTCondor's gahp needs a job user other than root (VMGAHP_USER_UID, here nobody) and
# a condor user: CONDOR_IDS = 0.0 makes that root, so it can write the log the runner's
# root-owned case directory holds (README of the bundle, "Pitfalls"). It waits 2 s after QUIT
# (§2.6.1), so cases run four at a time: they mostly sleep.
exec "$runner" --htcondor --gahp "$gahp" --env VMGAHP_USER_UID=65534 --env _CONDOR_CONDOR_IDS=0.0 \
  --feature guests --config "LIBVIRT_XML_SCRIPT = $bundle/libexec/libvirt_nocpu_script.awk" \
  --jobs 4 protocol-spec/cases
