# lib.sh - shared by the interop suite's parts (sourced): job ads, results, waiting, clean-up.
# Everything a scenario makes lives under $W (the run's directory) and is named after $RUNID,
# so that the clean-up can find every domain and process of this run and nothing else.

# write_ad FILE NAME=VALUE...  writes a vm-universe job ad: the standalone starter's usual
# attributes, then the given ones (a VALUE of "-" drops the attribute). VALUEs are ClassAd
# expressions, so strings carry their quotes.
write_ad() {
  local file=$1; shift
  local -A ad=(
    [JobUniverse]=13 [Cmd]='"interop"' [Owner]='"nobody"' [OsUser]='"nobody"'
    [In]='"/dev/null"' [Out]='"/dev/null"' [Err]='"/dev/null"' [ProcId]=0
    [JobVMType]='"kvm"' [JobVMMemory]=64 [JobVM_VCPUS]=1 [JobVMNetworking]=false
    [JobVMCheckpoint]=false [ShouldTransferFiles]='"NO"'
  )
  local kv order=(JobUniverse Cmd Owner OsUser User Iwd In Out Err ClusterId ProcId JobVMType JobVMMemory
    JobVM_VCPUS JobVMNetworking JobVMCheckpoint VMPARAM_vm_Disk ShouldTransferFiles)
  for kv in "$@"; do
    ad[${kv%%=*}]=${kv#*=}
    [[ " ${order[*]} " == *" ${kv%%=*} "* ]] || order+=("${kv%%=*}")
  done
  : > "$file"
  for kv in "${order[@]}"; do
    [ -n "${ad[$kv]+set}" ] && [ "${ad[$kv]}" != - ] && printf '%s = %s\n' "$kv" "${ad[$kv]}" >> "$file"
  done
  chmod 644 "$file"
}

# a cluster id no other run uses at the same time (VM names are <user>_<cluster>.<proc>)
new_cluster() { echo $(( 100000 + (RANDOM << 8 | RANDOM) % 800000 )); }

# record SCENARIO GAHP pass|fail TEXT: the verdict; outcome SCENARIO GAHP TEXT: what the gahp did (the table)
record() {
  local scen=$1 gahp=$2 verdict=$3; shift 3
  printf '%s\n' "$*" > "$W/results/$verdict.$gahp.${scen//\//:}"
}
begin() { : > "$W/begun/$2.${1//\//:}"; }   # begin SCENARIO GAHP: a scenario without a verdict at the end failed
outcome() { printf '%s\n' "$3" > "$W/outcomes/$2.${1//\//:}"; }

# wait_for SECONDS COMMAND...  polls COMMAND until it succeeds; 1 on timeout. Every $WAIT_EVERY
# seconds (0.2; the pool part polls HTCondor's tools, which cost a process and a query each, every 2)
wait_for() {
  local limit=$1 t0=$SECONDS; shift
  until "$@" >/dev/null 2>&1; do
    [ $(( SECONDS - t0 )) -ge "$limit" ] && return 1
    sleep "${WAIT_EVERY:-0.2}"
  done
}

virsh_q() { timeout 30 virsh -q -c qemu:///system "$@" </dev/null 2>/dev/null; }
domain_exists() { virsh_q list --all --name | grep -qxF "$1"; }
domain_gone() { ! domain_exists "$1"; }

# make_guest N FILE [OWNER]: the bundle's boot-sector guest, set to power itself off after N
# heartbeats of ~2 s (a little-endian word at offset 508, see scripts/bootsector.S)
make_guest() {
  install -m 644 "$B/examples/bootsector-selfoff.img" "$2"
  printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))" |
    dd of="$2" bs=1 seek=508 conv=notrunc status=none
  [ -z "${3:-}" ] || chown "$3" "$2"
}

# one of the 13 tokens for which HTCondor's starter holds the job (reference §8.4)
is_hold_token() {
  case "$1" in
    VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM|VMGAHP_ERR_JOBCLASSAD_XEN_NO_KERNEL_PARAM|\
    VMGAHP_ERR_JOBCLASSAD_MISMATCHED_HARDWARE_VT|VMGAHP_ERR_JOBCLASSAD_XEN_KERNEL_NOT_FOUND|\
    VMGAHP_ERR_JOBCLASSAD_XEN_INITRD_NOT_FOUND|VMGAHP_ERR_JOBCLASSAD_XEN_NO_ROOT_DEVICE_PARAM|\
    VMGAHP_ERR_JOBCLASSAD_XEN_NO_DISK_PARAM|VMGAHP_ERR_JOBCLASSAD_XEN_INVALID_DISK_PARAM|\
    VMGAHP_ERR_JOBCLASSAD_XEN_MISMATCHED_CHECKPOINT|VMGAHP_ERR_JOBCLASSAD_KVM_NO_DISK_PARAM|\
    VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM|VMGAHP_ERR_JOBCLASSAD_KVM_MISMATCHED_CHECKPOINT|\
    VMGAHP_ERR_BAD_IMAGE) return 0;;
  esac
  return 1
}

# matches OUTCOME EXPECTED: EXPECTED is an outcome ("exit 0", "held TOKEN", "requeued REASON"),
# or "held *" (any of the 13 hold tokens) or "requeued *" (any reason that does not hold)
matches() {
  case "$2" in
    "held *") [[ "$1" == "held "* ]] && is_hold_token "${1#held }";;
    "requeued *") [[ "$1" == "requeued "* ]];;
    *) [ "$1" = "$2" ];;
  esac
}
