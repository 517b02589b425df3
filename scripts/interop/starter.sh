# starter.sh - the standalone-starter scenarios (sourced by scripts/interop.sh).
# HTCondor's own condor_starter (the bundle's run-starter) runs one job ad with a given gahp; the
# verdict comes from the starter's own log lines and output ad, never from the gahp's answer:
#   "exit N"           JobState "Exited" with ExitCode N in the output ad
#   "held TOKEN"       "Job failed to launch, potentially because of a user's mistake. (TOKEN)
#                       Putting the job on hold."  (in a pool: HoldReasonCode 6, subcode 0-12)
#   "requeued REASON"  "Failed to launch VM universe job (REASON)."  (in a pool: the job goes back
#                       to the queue and the machine goes VM-offline; the standalone starter has
#                       no startd to tell, logs "Unable to locate startd" and exits non-zero)

# starter_outcome DIR: the outcome of the run whose files are in DIR
starter_outcome() {
  local d=$1 line
  line=$(grep -o "Job failed to launch, potentially because of a user's mistake. ([^)]*)" "$d/starter.log" | head -1)
  [ -z "$line" ] || { line=${line##*(}; echo "held ${line%)}"; return; }
  line=$(grep -o 'Failed to launch VM universe job (.*)\.' "$d/starter.log" | head -1)
  [ -z "$line" ] || { line=${line#*(}; echo "requeued ${line%).}"; return; }
  local state code
  state=$(sed -n 's/^JobState = "\(.*\)"/\1/p' "$d/out.ad" 2>/dev/null | tail -1)
  code=$(sed -n 's/^ExitCode = \(.*\)/\1/p' "$d/out.ad" 2>/dev/null | tail -1)
  if [ "$state" = Exited ]; then echo "exit $code"; else echo "no result (starter exit $(cat "$d/rc" 2>/dev/null))"; fi
}

# run_starter DIR GAHP [KNOB=VALUE...]: DIR/job.ad through the standalone starter; its LOCAL_DIR
# goes under DIR/tmp, its log to DIR/starter.log, its exit status to DIR/rc
run_starter() {
  local d=$1 gahp=$2; shift 2
  mkdir -p "$d/tmp"; chmod 755 "$d/tmp"
  RUN_STARTER_TMP=$d/tmp RUN_STARTER_TIMEOUT=${STARTER_TIMEOUT:-400} \
    "$B/run-starter" "$gahp" "$d/job.ad" "$d/out.ad" "$@" > "$d/localdir" 2> "$d/starter.log"
  echo $? > "$d/rc"
}
gahp_path() { if [ "$1" = ours ]; then echo "$OURS"; else echo bundled; fi; }
# the seconds run-starter measured from the starter's start to its exit
starter_seconds() { sed -n 's/^run-starter: starter exit .* after \([0-9.]*\) s;.*/\1/p' "$1/starter.log" | tail -1; }
# where the starter's time went, from its own log (whole seconds): the handshake up to START,
# START to its result, the fixed wait until "StartJob for VM succeeded", from there to the STATUS
# that saw the VM stopped, and the clean-up to the starter's exit
starter_breakdown() {
  local f=$1/starter.log a b r c e g
  at() { date -d "$(grep -m1 -e "$1" "$f" | awk '{print $2}')" +%s; }
  a=$(at 'About to exec'); b=$(at "<- 'CONDOR_VM_START"); c=$(at 'StartJob for VM succeeded')
  e=$(at 'Virtual machine is stopped'); g=$(at 'EXITING WITH STATUS')
  r=$(date -d "$(awk "/<- 'CONDOR_VM_START/ { s = 1 } s && /-> '[0-9]+' '[01]'/ { print \$2; exit }" "$f")" +%s)
  echo "gahp spawn to START $((b - a)) s, START to its result $((r - b)) s, then to 'StartJob for VM succeeded' $((c - r)) s, to 'Virtual machine is stopped' $((e - c)) s, to the starter's exit $((g - e)) s"
}
scratch_dirs() { ls -d "$1"/tmp/run-starter.*/execute/dir_*/scratch 2>/dev/null; }

# a job directory for one scenario and gahp: DIR/iwd (the job's Iwd) and DIR/shared, the
# "shared storage" its disk lives on (outside the starter's working directory)
job_dir() {
  local d=$W/starter/$1.$2
  mkdir -p "$d/iwd" "$d/shared"; chmod 755 "$d" "$d/shared"; chmod 777 "$d/iwd"
  echo "$d"
}
base_ad() {  # base_ad DIR NAME=VALUE...: an ad of a job named after this run, disk on DIR/shared
  local d=$1; shift
  write_ad "$d/job.ad" User="\"nobody@interop-$RUNID\"" Iwd="\"$d/iwd\"" ClusterId="$(new_cluster)" \
    VMPARAM_vm_Disk="\"$d/shared/disk.img:hda:w:raw\"" "$@"
}

# simple_case NAME EXPECT_OURS EXPECT_HTCONDOR [AD=VALUE...] [+KNOB=VALUE...] [+noroots]
#   one job ad, run with each gahp; @D in a value is the job directory. Our gahp is given
#   VM_GAHP_DISK_ROOTS = the job's shared directory (an admin's choice HTCondor's gahp ignores),
#   so the scenario does not depend on how shared storage is judged; +noroots leaves it out.
#   EXPECT "skip:REASON" does not run that gahp.
simple_case() {
  local name=$1 gahp
  local -A expect=([ours]=$2 [htcondor]=$3); shift 3
  for gahp in ours htcondor; do
    case "${expect[$gahp]}" in skip:*) outcome "starter/$name" "$gahp" "not run: ${expect[$gahp]#skip:}"; continue;; esac
    begin "starter/$name" "$gahp"
    (
      local d ad=() knobs=() roots=yes a
      d=$(job_dir "$name" "$gahp")
      make_guest 3 "$d/shared/disk.img" nobody
      for a in "$@"; do
        a=${a//@D/$d}
        case "$a" in +noroots) roots=no;; +*) knobs+=("${a#+}");; *) ad+=("$a");; esac
      done
      [ "$gahp" = ours ] && [ $roots = yes ] && knobs+=("VM_GAHP_DISK_ROOTS=$d/shared")
      base_ad "$d" "${ad[@]}"
      [ -n "${PREPARE:-}" ] && "$PREPARE" "$d"
      run_starter "$d" "$(gahp_path $gahp)" "${knobs[@]}"
      judge_starter "starter/$name" "$gahp" "$d" "${expect[$gahp]}"
    ) &
  done
}

judge_starter() {  # judge_starter SCENARIO GAHP DIR EXPECTED [EXTRA-CHECK-TEXT]
  local got; got=$(starter_outcome "$3")
  outcome "$1" "$2" "$got"
  if matches "$got" "$4"; then record "$1" "$2" pass "$got ($(starter_seconds "$3") s)"
  else record "$1" "$2" fail "got '$got', expected '$4' (starter log $3/starter.log)"; fi
}

# seed_scratch DIR FILE...: once the starter has made its working directory (before it sends
# START, which comes >= 5 s later: every handshake line costs the starter a 1 s sleep), copy FILEs
# into it as the job user owns them, as the file transfer of a pool would have
seed_scratch() {
  local d=$1 s f; shift
  wait_for 120 scratch_dirs "$d" || return 1
  s=$(scratch_dirs "$d" | head -1)
  for f in "$@"; do cp -p "$f" "$s/" && chown nobody "$s/$(basename "$f")"; done
}

# carry_scratch DIR DEST PID: while PID runs, keep hard links to the working directory's
# checkpoint files (xen*) in DEST: what a pool's file transfer sends back at a vacate
carry_scratch() {
  local d=$1 dest=$2 pid=$3 f
  mkdir -p "$dest"
  while kill -0 "$pid" 2>/dev/null; do
    for f in $(scratch_dirs "$d" | sed 's|$|/xen*|'); do [ -f "$f" ] && ln -f "$f" "$dest/" 2>/dev/null; done
    sleep 0.2
  done
}

workdir_disk_case() {  # the disk in the starter's working directory, as a file transfer leaves it
  local gahp
  for gahp in ours htcondor; do
    begin starter/run-workdir-disk "$gahp"
    (
      local d; d=$(job_dir run-workdir-disk "$gahp")
      make_guest 3 "$d/disk.img" nobody
      base_ad "$d" VMPARAM_vm_Disk='"disk.img:hda:w:raw"' TransferInput='"disk.img"'
      run_starter "$d" "$(gahp_path $gahp)" & local r=$!
      seed_scratch "$d" "$d/disk.img"
      wait $r
      judge_starter starter/run-workdir-disk "$gahp" "$d" "exit 0"
      echo "starter start-to-exit [$gahp]: $(starter_seconds "$d") s ($(starter_breakdown "$d"))" > "$W/figures/starter.$gahp"
    ) &
  done
}

# A checkpointing job on shared storage: SIGTERM to the starter once the VM runs (a vacate:
# CHECKPOINT, STOP, QUIT), the checkpoint files carried to a second starter run of the same job.
# The guest powers off after 30 heartbeats (~60 s); restored, it goes on from where it was saved.
checkpoint_case() {
  local gahp
  for gahp in ours htcondor; do
    begin starter/checkpoint-restart "$gahp"
    (
      local d pid got1 got2 knobs=() restored
      d=$(job_dir checkpoint-restart "$gahp")
      make_guest 30 "$d/shared/disk.img" nobody
      base_ad "$d" JobVMCheckpoint=true
      [ "$gahp" = ours ] && knobs=("VM_GAHP_DISK_ROOTS=$d/shared")
      mkdir -p "$d/run1" "$d/run2"; cp "$d/job.ad" "$d/run1/"; cp "$d/job.ad" "$d/run2/"
      run_starter "$d/run1" "$(gahp_path $gahp)" "${knobs[@]}" & local r=$!
      carry_scratch "$d/run1" "$d/carry" $r &
      if wait_for 150 grep -qs "StartJob for VM succeeded" "$d/run1/starter.log"; then
        pid=$(sed -n 's/.*\*\* PID = \([0-9]*\).*/\1/p' "$d/run1/starter.log" | head -1)
        [ -n "$pid" ] && kill -TERM "$pid"
      fi
      wait $r; wait
      got1=$(grep -c "CONDOR_VM_CHECKPOINT" "$d/run1/starter.log")
      run_starter "$d/run2" "$(gahp_path $gahp)" "${knobs[@]}" & r=$!
      [ -n "$(ls "$d/carry" 2>/dev/null)" ] && seed_scratch "$d/run2" "$d"/carry/*
      wait $r
      got2=$(starter_outcome "$d/run2")
      if grep -q 'restarted from the checkpoint' "$(cat "$d/run2/localdir")/log/VMGahpLog" 2>/dev/null; then
        restored="resumed from the checkpoint"
      else
        restored="booted afresh"
      fi
      local files; files=$(ls "$d/carry" 2>/dev/null | tr "\n" " "); files=${files% }
      outcome starter/checkpoint-restart "$gahp" "vacate: $([ "$got1" -gt 0 ] && echo checkpointed || echo 'no CHECKPOINT') (${files:-no files}); restart: $got2, $restored"
      local want="resumed from the checkpoint"; [ "$gahp" = htcondor ] && want="booted afresh"
      if [ "$got1" -gt 0 ] && [ "$got2" = "exit 0" ] && [ "$restored" = "$want" ]; then
        record starter/checkpoint-restart "$gahp" pass "vacated with a checkpoint (${files}), restart $got2, $restored ($(starter_seconds "$d/run1") s + $(starter_seconds "$d/run2") s)"
      else
        record starter/checkpoint-restart "$gahp" fail "vacate sent CHECKPOINT $got1 times, carried '${files}', restart '$got2', $restored (want: $want; logs $d/run1, $d/run2)"
      fi
    ) &
  done
}

starter_scenarios() {
  mkdir -p "$W/starter"
  # a libvirt XML script that produces a domain the host cannot start: the admin's fault
  cat > "$W/starter/broken-xml-script" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "<domain type='kvm'><name>interop-broken</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices><emulator>/nonexistent/qemu-system-x86_64</emulator></devices></domain>"
EOF
  chmod 755 "$W/starter/broken-xml-script"
  local H=VMGAHP_ERR_JOBCLASSAD
  simple_case run-shared-disk "exit 0" "exit 0" +noroots
  workdir_disk_case
  checkpoint_case
  # job faults: held with one of the 13 tokens
  simple_case held-no-disk "held ${H}_KVM_NO_DISK_PARAM" "held ${H}_KVM_NO_DISK_PARAM" VMPARAM_vm_Disk=-
  simple_case held-missing-disk "held ${H}_KVM_INVALID_DISK_PARAM" "held ${H}_KVM_INVALID_DISK_PARAM" \
    VMPARAM_vm_Disk='"@D/shared/absent.img:hda:w:raw"'
  PREPARE=unreadable_disk simple_case held-disk-user-cannot-open "held ${H}_KVM_INVALID_DISK_PARAM" "exit 0" +noroots
  simple_case held-no-memory "held ${H}_NO_VM_MEMORY_PARAM" "held ${H}_NO_VM_MEMORY_PARAM" JobVMMemory=-
  simple_case held-hardware-vt "held ${H}_MISMATCHED_HARDWARE_VT" "held ${H}_MISMATCHED_HARDWARE_VT" JobVMHardwareVT=true
  PREPARE=garbage_image simple_case held-garbage-image "held VMGAHP_ERR_BAD_IMAGE" "requeued VMGAHP_ERR_INTERNAL" \
    VMPARAM_vm_Disk='"@D/shared/garbage.qcow2:hda:w:qcow2"'
  PREPARE=empty_image simple_case held-empty-qcow2 "held VMGAHP_ERR_BAD_IMAGE" "requeued VMGAHP_ERR_INTERNAL" \
    VMPARAM_vm_Disk='"@D/shared/empty.qcow2:hda:w:qcow2"'
  simple_case held-malformed-mac "held *" "requeued *" JobVMNetworking=true JobVMNetworkingType='"user"' \
    JobVM_MACADDR='"zz:zz:zz:zz:zz:zz"' +VM_NETWORKING=true +VM_NETWORKING_TYPE=user
  simple_case held-negative-vcpus "held *" \
    "skip:HTCondor's gahp passes <vcpu>-2</vcpu> to libvirtd; tried once here, the daemon dropped the connection and was gone (likely reading 4294967294 vCPUs), so the suite never sends it to a shared daemon" \
    JobVM_VCPUS=-2
  simple_case held-memory-out-of-range "held *" "requeued ${H}_TOO_MUCH_MEMORY_REQUEST" JobVMMemory=100000
  simple_case held-unusable-user "held *" "requeued VMGAHP_ERR_INTERNAL" User='"nobody/x@interop"'
  # host faults: requeued, never held
  simple_case host-broken-xml-script "requeued *" "requeued VMGAHP_ERR_INTERNAL" "+LIBVIRT_XML_SCRIPT=$W/starter/broken-xml-script"
  simple_case host-daemon-unreachable "requeued *" "exit 0" \
    "+VM_LIBVIRT_URI=qemu+unix:///system?socket=$W/starter/no-libvirtd.sock"
}
unreadable_disk() { chown root "$1/shared/disk.img"; chmod 600 "$1/shared/disk.img"; }
garbage_image() { head -c 1048576 /dev/urandom > "$1/shared/garbage.qcow2"; chown nobody "$1/shared/garbage.qcow2"; }
empty_image() { : > "$1/shared/empty.qcow2"; chown nobody "$1/shared/empty.qcow2"; }
