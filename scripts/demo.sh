#!/usr/bin/env bash
# The README's first command: install what is needed, build, and drive condor_vm-gahp through a
# whole VM lifecycle on libvirt's built-in test hypervisor (test:///default: no daemon, no KVM).
# The conversation is printed as the starter would see it: '>' sent to the gahp, '<' received.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --product condor_vm-gahp 2>&1 | tail -1

work=$(mktemp -d /tmp/vmgahp-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The disk stays on "shared storage" outside the job's directory: HTCondor refuses to checkpoint
# a VM whose disks were transferred. The gahp lets the job use it because the job user may open
# it (decided as that user, never as root); VM_GAHP_DISK_ROOTS restricts where such disks may live.
# As root the job user is nobody, as under a starter (HTCondor never runs a job as uid 0).
job_uid=$(id -u); [ "$job_uid" = 0 ] && job_uid=65534
mkdir "$work/job" "$work/images"
truncate -s 1M "$work/images/disk.img"
chmod 755 "$work" "$work/images"; chmod 666 "$work/images/disk.img"

export CONDOR_CONFIG=ONLY_ENV _CONDOR_VM_MEMORY=512 _CONDOR_VM_LIBVIRT_URI=test:///default
export _CONDOR_VM_GAHP_DISK_ROOTS="$work/images"
export _CONDOR_VM_GAHP_LOG="$work/VMGahpLog" _CONDOR_VM_GAHP_DEBUG=D_FULLDEBUG
export VMGAHP_VMTYPE=kvm VMGAHP_WORKING_DIR="$work/job" VMGAHP_USER_UID="$job_uid"
coproc GAHP { exec .build/debug/condor_vm-gahp -f -M 3; }

receive() { # prints and returns the next line from the gahp
  local line
  IFS= read -r -t 30 line <&"${GAHP[0]}" || { echo "no answer from the gahp" >&2; exit 1; }
  printf '< %s\n' "$line" >&2
  REPLY=$line
}
send() { printf '> %s\n' "$1" >&2; printf '%s\r\n' "$1" >&"${GAHP[1]}"; }
ask() { send "$1"; receive; [ "${REPLY:0:1}" = S ] || { echo "request refused: $1" >&2; exit 1; }; }
result() { # waits for R, then reads one batch of results
  receive; [ "$REPLY" = R ] || { echo "expected R, got $REPLY" >&2; exit 1; }
  ask RESULTS; local n=${REPLY#S }
  for _ in $(seq "$n"); do receive; done
}

receive                                       # the greeting
ask COMMANDS; ask SUPPORT_VMS; ask ASYNC_MODE_ON
ask CLASSAD
for line in "VM_WORKING_DIR = \"$work/job\"" 'ClusterId = 12' 'ProcId = 0' 'User = "alice@submit.example.org"' \
    'JobVMType = "kvm"' 'JobVMMemory = 64' 'JobVM_VCPUS = 1' 'JobVMCheckpoint = true' \
    "VMPARAM_vm_Disk = \"$work/images/disk.img:vda:w:raw\""; do
  send "$line"
done
ask CLASSAD_END
id=2
for request in "CONDOR_VM_START kvm" "CONDOR_VM_GETPID 1" "CONDOR_VM_STATUS 1" "CONDOR_VM_SOFT_SUSPEND 1" \
    "CONDOR_VM_STATUS 1" "CONDOR_VM_RESUME 1" "CONDOR_VM_SUSPEND 1" "CONDOR_VM_STATUS 1" "CONDOR_VM_RESUME 1" \
    "CONDOR_VM_CHECKPOINT 1" "CONDOR_VM_STATUS 1" "CONDOR_VM_RESUME 1" "CONDOR_VM_STOP 1" "CONDOR_VM_STATUS 1"; do
  ask "${request% *} $id ${request##* }"
  result
  case "$REPLY" in "$id 0 "*) ;; *) echo "request $id failed: $REPLY" >&2; exit 1;; esac
  id=$((id + 1))
done
ask QUIT
wait "$GAHP_PID" && echo "condor_vm-gahp exited 0 after a full VM lifecycle on test:///default" >&2
