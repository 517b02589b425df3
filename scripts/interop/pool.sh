# pool.sh - the personal-pool scenarios (sourced by scripts/interop.sh): one pool per gahp, each
# with its own collector port and UID_DOMAIN (so VM names never collide), 6 slots so that the jobs
# of the first phase run side by side; the second phase takes the machine VM-offline and back.
# Judged on condor_q/condor_history, the machine ad (condor_status) and the job's user log.

pool_cmd() { "$B/pool" "$@"; }
ptool() { pool_cmd tool "$P" "$@" 2>/dev/null; }
free_port() {  # a free port from a random start (two runs at once must not pick the same one)
  local p=$(( 20000 + RANDOM % 9000 ))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
qattr() { ptool condor_q "$1" -af "$2"; }               # qattr CLUSTER ATTR
hattr() { ptool condor_history "$1" -af "$2" -limit 1; }  # hattr CLUSTER ATTR
left_queue() { [ -z "$(ptool condor_q "$1" -af ClusterId)" ] && [ -n "$(hattr "$1" ClusterId)" ]; }
has_status() { [ "$(qattr "$1" JobStatus)" = "$2" ]; }
finished() { left_queue "$1" || has_status "$1" 5; }   # completed or removed, or held
vm_name() { echo "vmuser_$G-${RUNID}_$1.0"; }
all_hasvm() { [ "$(ptool condor_status -af HasVM | sort -u | tr '\n' ' ')" = "$1 " ]; }

# job_sub NAME [SUBMIT LINES...]: a job directory owned by the job user with a submit file for a
# boot-sector guest; prints the submit file's path. The guest's disk is disk.img (N heartbeats
# from $GUEST, default 3) unless the lines say otherwise.
job_sub() {
  local name=$1 j=$P/jobs/$1; shift
  mkdir -p "$j"; make_guest "${GUEST:-3}" "$j/disk.img"
  { echo "universe = vm"; echo "executable = interop-$name"; echo "vm_type = kvm"; echo "vm_memory = 64"
    echo "vm_networking = false"; echo "log = job.log"; printf '%s\n' "$@"; echo "queue"; } > "$j/job.sub"
  chown -R vmuser: "$j"
  echo "$j/job.sub"
}
submit() { pool_cmd submit "$P" "$1" 2>>"$P.submit.log"; }
ulog_has() { grep -q "^$2 " "$(dirname "$1")/job.log" 2>/dev/null; }  # ulog_has SUBFILE EVENT-NUMBER

# the scenarios of the first phase; each runs in its own subshell and records its verdict
pool_complete_transferred() {
  local s c t0=$SECONDS before
  s=$(job_sub complete-transferred "vm_disk = disk.img:hda:w:raw" "should_transfer_files = YES" \
    "when_to_transfer_output = ON_EXIT" "transfer_input_files = disk.img")
  touch -d '2020-01-01 00:00:00' "$(dirname "$s")/disk.img"; before=$(stat -c %Y "$(dirname "$s")/disk.img")
  c=$(submit "$s") || { record pool/complete-transferred "$G" fail "condor_submit failed ($P.submit.log)"; return; }
  wait_for 400 left_queue "$c"
  local st ec wall q done after; st=$(hattr "$c" JobStatus); ec=$(hattr "$c" ExitCode)
  q=$(hattr "$c" QDate); done=$(hattr "$c" CompletionDate); wall=$(hattr "$c" RemoteWallClockTime)
  after=$(stat -c %Y "$(dirname "$s")/disk.img")
  local back=no; [ "$after" != "$before" ] && back=yes
  outcome pool/complete-transferred "$G" "JobStatus $st, ExitCode $ec, disk back in the submit directory: $back"
  echo "pool submit-to-completion [$G]: $(( ${done:-0} - ${q:-0} )) s (CompletionDate - QDate; RemoteWallClockTime ${wall%.*} s; harness $(( SECONDS - t0 )) s)" > "$W/figures/pool.$G"
  if [ "$st" = 4 ] && [ "$ec" = 0 ] && ulog_has "$s" 005 && [ $back = yes ]; then
    record pool/complete-transferred "$G" pass "ExitCode 0, user log 005, disk.img transferred back ($(( done - q )) s)"
  else
    record pool/complete-transferred "$G" fail "JobStatus $st ExitCode $ec, user log 005: $(ulog_has "$s" 005 && echo yes || echo no), disk back: $back (job $(dirname "$s"))"
  fi
}

pool_complete_shared() {
  local s c sh=$P/shared; mkdir -p "$sh"; chmod 755 "$sh"; make_guest 3 "$sh/disk.img" vmuser
  s=$(job_sub complete-shared "vm_disk = $sh/disk.img:hda:w:raw" "should_transfer_files = YES" "when_to_transfer_output = ON_EXIT")
  c=$(submit "$s") || { record pool/complete-shared "$G" fail "condor_submit failed"; return; }
  wait_for 400 finished "$c"
  local st ec hr; st=$(hattr "$c" JobStatus); ec=$(hattr "$c" ExitCode)
  [ -n "$st" ] || { st=$(qattr "$c" JobStatus); hr=$(qattr "$c" HoldReason); ptool condor_rm "$c" >/dev/null; }
  outcome pool/complete-shared "$G" "JobStatus $st, ExitCode $ec${hr:+, HoldReason $hr}"
  if [ "$st" = 4 ] && [ "$ec" = 0 ]; then record pool/complete-shared "$G" pass "disk on shared storage, ExitCode 0"
  else record pool/complete-shared "$G" fail "JobStatus $st ExitCode $ec HoldReason ${hr:-none}"; fi
}

pool_held() {
  local s c
  s=$(job_sub held-missing-disk "vm_disk = $P/shared/absent.img:hda:w:raw" "should_transfer_files = YES" "when_to_transfer_output = ON_EXIT")
  c=$(submit "$s") || { record pool/held-missing-disk "$G" fail "condor_submit failed"; return; }
  wait_for 300 has_status "$c" 5
  local st code sub reason hasvm
  st=$(qattr "$c" JobStatus); code=$(qattr "$c" HoldReasonCode); sub=$(qattr "$c" HoldReasonSubCode); reason=$(qattr "$c" HoldReason)
  hasvm=$(ptool condor_status -af HasVM | sort -u | tr '\n' ' ')
  ptool condor_rm "$c" >/dev/null
  outcome pool/held-missing-disk "$G" "JobStatus $st, HoldReasonCode $code/$sub, HasVM ${hasvm% }"
  if [ "$st" = 5 ] && [ "$code" = 6 ] && [ "$sub" = 10 ] && [[ "$reason" == *VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM* ]] && [ "$hasvm" = "true " ]; then
    record pool/held-missing-disk "$G" pass "held, HoldReasonCode 6 subcode 10, machine keeps HasVM"
  else
    record pool/held-missing-disk "$G" fail "JobStatus $st HoldReasonCode $code/$sub HoldReason '$reason' HasVM '${hasvm% }'"
  fi
}

# a long job (600 heartbeats) that runs until it is removed or vacated
running() { [ "$(qattr "$1" JobStatus)" = 2 ] && domain_exists "$(vm_name "$1")"; }
pool_rm() {
  local s c; s=$(GUEST=600 job_sub rm "vm_disk = disk.img:hda:w:raw" "should_transfer_files = YES" \
    "when_to_transfer_output = ON_EXIT" "transfer_input_files = disk.img")
  c=$(submit "$s") || { record pool/condor_rm "$G" fail "condor_submit failed"; return; }
  if ! wait_for 300 running "$c"; then record pool/condor_rm "$G" fail "the job never ran"; ptool condor_rm "$c" >/dev/null; return; fi
  ptool condor_rm "$c" >/dev/null
  wait_for 200 left_queue "$c"
  local gone=no; wait_for 30 domain_gone "$(vm_name "$c")" && gone=yes
  outcome pool/condor_rm "$G" "job removed (JobStatus $(hattr "$c" JobStatus)), domain gone: $gone"
  if [ $gone = yes ] && [ "$(hattr "$c" JobStatus)" = 3 ]; then record pool/condor_rm "$G" pass "removed while running, no domain left"
  else record pool/condor_rm "$G" fail "domain $(vm_name "$c") gone: $gone, JobStatus $(hattr "$c" JobStatus)"; fi
}

pool_vacate() {
  local s c; s=$(GUEST=600 job_sub vacate "vm_disk = disk.img:hda:w:raw" "should_transfer_files = YES" \
    "when_to_transfer_output = ON_EXIT" "transfer_input_files = disk.img" "requirements = (NumJobStarts =?= 0)")
  c=$(submit "$s") || { record pool/condor_vacate_job "$G" fail "condor_submit failed"; return; }
  if ! wait_for 300 running "$c"; then record pool/condor_vacate_job "$G" fail "the job never ran"; ptool condor_rm "$c" >/dev/null; return; fi
  ptool condor_vacate_job "$c" >/dev/null
  # it may not match again (NumJobStarts is 1 now), so it waits idle
  local idle=no gone=no
  wait_for 200 has_status "$c" 1 && idle=yes
  wait_for 30 domain_gone "$(vm_name "$c")" && gone=yes
  ptool condor_rm "$c" >/dev/null
  outcome pool/condor_vacate_job "$G" "back in the queue: $idle, user log 004: $(ulog_has "$s" 004 && echo yes || echo no), domain gone: $gone"
  if [ $idle = yes ] && [ $gone = yes ] && ulog_has "$s" 004; then record pool/condor_vacate_job "$G" pass "vacated (user log 004), idle again, no domain left"
  else record pool/condor_vacate_job "$G" fail "idle again: $idle, domain $(vm_name "$c") gone: $gone, 004 in the user log: $(ulog_has "$s" 004 && echo yes || echo no)"; fi
}

# the starter that runs cluster C has logged "StartJob for VM succeeded" (its 30 s after START are over)
vm_started() {
  awk -v id="<- 'ClusterId = $1'" 'FNR == 1 { f = 0 } index($0, id) { f = 1 } f && /StartJob for VM succeeded/ { ok = 1 } END { exit !ok }' \
    "$P"/local/log/StarterLog.slot* 2>/dev/null
}
# a checkpointing job on shared storage (30 heartbeats, ~60 s), vacated once it executes; it
# must match again and finish; ours must restart it from the checkpoint
pool_checkpoint() {
  local s c sh=$P/ckpt-shared; mkdir -p "$sh"; chmod 755 "$sh"; make_guest 30 "$sh/disk.img" vmuser
  s=$(job_sub checkpoint "vm_disk = $sh/disk.img:hda:w:raw" "vm_checkpoint = true" "should_transfer_files = YES" \
    "when_to_transfer_output = ON_EXIT_OR_EVICT")
  c=$(submit "$s") || { record pool/checkpoint-restart "$G" fail "condor_submit failed"; return; }
  if ! wait_for 300 vm_started "$c"; then
    record pool/checkpoint-restart "$G" fail "the job never executed"; ptool condor_rm "$c" >/dev/null; return
  fi
  ptool condor_vacate_job "$c" >/dev/null
  wait_for 500 finished "$c"
  local hr; hr=$(qattr "$c" HoldReason)
  [ -z "$hr" ] || { ptool condor_rm "$c" >/dev/null; wait_for 100 left_queue "$c"; }
  local st ec starts restored
  st=$(hattr "$c" JobStatus); ec=$(hattr "$c" ExitCode); starts=$(hattr "$c" NumJobStarts)
  if grep -F "$(vm_name "$c")" "$P/local/log/VMGahpLog" 2>/dev/null | grep -q 'restarted from the checkpoint'; then restored="resumed from the checkpoint"
  else restored="booted afresh"; fi
  outcome pool/checkpoint-restart "$G" "vacated, matched again (NumJobStarts $starts), ExitCode $ec, $restored"
  local want="resumed from the checkpoint"; [ "$G" = htcondor ] && want="booted afresh"
  if [ "$st" = 4 ] && [ "$ec" = 0 ] && [ "${starts:-0}" -ge 2 ] && ulog_has "$s" 004 && [ "$restored" = "$want" ]; then
    record pool/checkpoint-restart "$G" pass "vacated, ran again (NumJobStarts $starts), ExitCode 0, $restored"
  else
    record pool/checkpoint-restart "$G" fail "JobStatus $st ExitCode $ec NumJobStarts $starts${hr:+ HoldReason $hr}, 004: $(ulog_has "$s" 004 && echo yes || echo no), $restored (want: $want)"
  fi
}

# phase 2: a host fault (the admin's LIBVIRT_XML_SCRIPT makes domains this host cannot start)
requeued_offline() { has_status "$1" 1 && [ "$(qattr "$1" NumShadowStarts)" -ge 1 ] 2>/dev/null && all_hasvm false; }
pool_host_fault() {
  local s c script=$P/broken-xml-script
  printf '%s\n' '#!/bin/sh' 'cat >/dev/null' \
    "echo \"<domain type='kvm'><name>interop-broken</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices><emulator>/nonexistent/qemu-system-x86_64</emulator></devices></domain>\"" > "$script"
  chmod 755 "$script"
  cp "$P/etc/gahp.config" "$P/gahp.config.good"
  echo "LIBVIRT_XML_SCRIPT = $script" >> "$P/etc/gahp.config"   # read by the next starter and gahp
  s=$(job_sub host-fault "vm_disk = disk.img:hda:w:raw" "should_transfer_files = YES" \
    "when_to_transfer_output = ON_EXIT" "transfer_input_files = disk.img")
  c=$(submit "$s") || { record pool/host-fault "$G" fail "condor_submit failed"; cp "$P/gahp.config.good" "$P/etc/gahp.config"; return; }
  local off=no reason st
  wait_for 300 requeued_offline "$c" && off=yes
  st=$(qattr "$c" JobStatus); reason=$(ptool condor_status -af VMOfflineReason | grep -vx undefined | head -1)
  cp "$P/gahp.config.good" "$P/etc/gahp.config"
  outcome pool/host-fault "$G" "JobStatus $st (not held), HasVM false: $off, VMOfflineReason $reason"
  if [ $off = yes ] && [ "$st" = 1 ] && [ -n "$reason" ] && [ "$reason" != undefined ]; then
    record pool/host-fault "$G" pass "requeued, not held; HasVM = False, VMOfflineReason \"$reason\""
  else
    record pool/host-fault "$G" fail "JobStatus $st, HasVM false on every slot: $off, VMOfflineReason '$reason'"
  fi
  # the admin fixed the host: condor_update_machine_ad brings it back, and the job runs
  echo "HasVM = True" > "$P/hasvm.ad"
  ptool condor_update_machine_ad "$P/hasvm.ad" >/dev/null
  local back=no; wait_for 60 all_hasvm true && back=yes
  wait_for 400 finished "$c"
  local ec; ec=$(hattr "$c" ExitCode)
  left_queue "$c" || ptool condor_rm "$c" >/dev/null
  outcome pool/machine-back "$G" "HasVM true again: $back, the requeued job ExitCode $ec"
  if [ $back = yes ] && [ "$ec" = 0 ]; then record pool/machine-back "$G" pass "condor_update_machine_ad: HasVM = True, the requeued job completed"
  else record pool/machine-back "$G" fail "HasVM true again: $back, requeued job ExitCode '$ec'"; fi
}

pool_scenarios() {
  local G=$1 P=$W/pool-$1 port gp=bundled WAIT_EVERY=2
  [ "$G" = ours ] && gp=$OURS
  local s; for s in up probe complete-transferred complete-shared held-missing-disk condor_rm condor_vacate_job \
    checkpoint-restart host-fault machine-back down; do begin "pool/$s" "$G"; done
  port=$(free_port)
  # one setup at a time: each may create the condor and vmuser accounts
  ( flock 9; POOL_PORT=$port POOL_UID_DOMAIN=$G-$RUNID pool_cmd setup "$P" ) > "$P.log" 2>&1 9>"$W/pool-setup.lock" ||
    { record pool/up "$G" fail "pool setup failed ($P.log)"; return; }
  local knobs=(NUM_CPUS=6)   # the same configuration for both gahps
  if ! pool_cmd up "$P" "$gp" "${knobs[@]}" >> "$P.log" 2>&1; then
    record pool/up "$G" fail "pool up failed ($P.log)"; pool_cmd down "$P" >> "$P.log" 2>&1; return
  fi
  record pool/up "$G" pass "$(grep -o 'advertises the vm universe after [0-9]* s' "$P.log")"
  local vm; vm=$(ptool condor_status -vm -af VM_Type VM_Memory VM_Networking VM_GAHP_VERSION HasVM | sort -u)
  local cpus; cpus=$(ptool condor_status -af TotalCpus | sort -u)
  outcome pool/probe "$G" "VM_Type VM_Memory VM_Networking VM_GAHP_VERSION HasVM = $vm"
  if [ "$(echo "$vm" | wc -l)" = 1 ] && [[ "$vm" =~ ^kvm\ [1-9][0-9]*\ false\ [0-9.]+\ true$ ]] && [ "${cpus%.0}" = 6 ]; then
    record pool/probe "$G" pass "condor_status -vm: $vm (a partitionable slot of $cpus cpus)"
  else record pool/probe "$G" fail "condor_status -vm: '$vm', TotalCpus '$cpus'"; fi
  pool_complete_transferred & pool_complete_shared & pool_held & pool_rm & pool_vacate & pool_checkpoint &
  wait
  pool_host_fault
  local t0=$SECONDS
  pool_cmd down "$P" >> "$P.log" 2>&1
  local left; left=$(virsh_q list --all --name | grep -F "vmuser_$G-${RUNID}_")
  if [ -z "$left" ] && [ -z "$(pool_cmd pids "$P" 2>/dev/null)" ]; then record pool/down "$G" pass "no daemon and no domain left ($(( SECONDS - t0 )) s)"
  else record pool/down "$G" fail "left: domains $left, pids $(pool_cmd pids "$P" | tr '\n' ' ')"; fi
}
