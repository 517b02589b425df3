#!/usr/bin/env bash
# interop.sh - our condor_vm-gahp under HTCondor's own daemons, beside HTCondor's own gahp.
#
#   scripts/interop.sh [starter|pool|pool:ours|pool:htcondor]...   (default: starter and pool, at once)
#
# Runs every scenario twice in one run, with our gahp and with the bundle's condor_vm-gahp:
#   starter  HTCondor's standalone condor_starter (the bundle's run-starter) on job ads that must
#            complete, be held (job faults), or be requeued without a hold (host faults); judged on
#            the starter's own log lines and output ad (scripts/interop/starter.sh)
#   pool     a personal HTCondor pool per gahp (the bundle's pool script, 6 slots, its own collector
#            port and UID_DOMAIN): the startd's probe, condor_submit to completion, holds, a host
#            fault and its recovery, condor_rm, condor_vacate_job, a checkpoint restart; judged on
#            condor_q/condor_history, the machine ad and the user log (scripts/interop/pool.sh)
# Prints one line per scenario and gahp, a table of what each gahp did, and `N passed, N failed`.
# Without an HTCondor (scripts/htcondor-bundle.sh), KVM or libvirtd it prints why and passes.
# Everything it starts is stopped by pid, and every domain it made destroyed, even on failure.
#
# Env: VMGAHP_INTEROP_GAHP  our gahp (default .build/debug/condor_vm-gahp)
#      VMGAHP_INTEROP_DIR   parent of the run's directory (default /var/tmp; must be o+x all the way)
#      VMGAHP_INTEROP_KEEP=1  keep the run's directory (logs) even when everything passed
#      VMGAHP_INTEROP_TIMEOUT  seconds before unfinished scenarios are stopped and failed (900)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
skip() { echo "== interop: SKIP: $*"; echo "0 passed, 0 failed"; exit 0; }

[ "$(id -u)" = 0 ] || skip "not root (HTCondor's starter and pool need root)"
B=$("$here/scripts/htcondor-bundle.sh" 2>/tmp/interop-bundle.$$) || { r=$(cat /tmp/interop-bundle.$$); rm -f /tmp/interop-bundle.$$; skip "$r"; }
rm -f /tmp/interop-bundle.$$
[ -c /dev/kvm ] || skip "no /dev/kvm (HTCondor's gahp runs KVM guests only)"
timeout 20 virsh -c qemu:///system uri >/dev/null 2>&1 </dev/null || skip "no libvirtd answers on qemu:///system"
OURS=$(readlink -f "${VMGAHP_INTEROP_GAHP:-$here/.build/debug/condor_vm-gahp}")
[ -x "$OURS" ] || { echo "interop: our gahp $OURS is not built (swift build --product condor_vm-gahp)"; echo "0 passed, 1 failed"; exit 1; }

parts=("$@"); [ ${#parts[@]} -gt 0 ] || parts=(starter pool)
RUNID=$(printf '%04x%04x' $RANDOM $RANDOM)
W=$(mktemp -d "${VMGAHP_INTEROP_DIR:-/var/tmp}/vmgahp-interop.XXXXXX") || exit 1
chmod 755 "$W"; mkdir -p "$W/results" "$W/outcomes" "$W/figures" "$W/begun"
export B W OURS RUNID
. "$here/scripts/interop/lib.sh"
. "$here/scripts/interop/starter.sh"
. "$here/scripts/interop/pool.sh"

# every process of this run carries CONDOR_CONFIG under $W (the starters, their gahps and procds,
# the pools' daemons): found so, never by name
run_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}; [ "$p" = $$ ] && continue
    tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -q "^CONDOR_CONFIG=$W/" && echo "$p"
  done
}
descendants() {  # every process below pid $1 (the scenarios' subshells and what they run), from /proc
  local -A kids=(); local p st queue=("$1") c
  for p in /proc/[0-9]*; do
    read -r st 2>/dev/null < "$p/stat" || continue
    st=${st##*) }; st=${st#* }; kids[${st%% *}]+=" ${p#/proc/}"
  done
  while [ ${#queue[@]} -gt 0 ]; do
    for c in ${kids[${queue[0]}]:-}; do echo "$c"; queue+=("$c"); done
    queue=("${queue[@]:1}")
  done
}
cleanup() {
  trap - EXIT INT TERM
  local p d
  for p in $(descendants $$); do kill -TERM "$p" 2>/dev/null; done
  for d in "$W"/pool-*; do [ -f "$d/pool.env" ] && DOWN_TIMEOUT=60 "$B/pool" down "$d" >> "$W/pool-down.log" 2>&1; done
  for p in $(run_pids); do kill -TERM "$p" 2>/dev/null; done
  wait_for 20 test -z "$(run_pids)"
  for p in $(run_pids); do kill -KILL "$p" 2>/dev/null; done
  for d in $(virsh_q list --all --name | grep -F "$RUNID"); do
    echo "interop: destroying leftover domain $d"
    virsh_q destroy "$d" >/dev/null; virsh_q undefine "$d" >/dev/null
  done
  if [ -z "$(ls "$W/results" | grep '^fail\.')" ] && [ "${VMGAHP_INTEROP_KEEP:-0}" != 1 ]; then rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== interop: HTCondor $(cat "$B/VERSION" 2>/dev/null | head -1 | cut -c1-60) from $B"
echo "   our gahp $OURS; run $RUNID in $W; parts: ${parts[*]}"
t0=$SECONDS
for part in "${parts[@]}"; do
  case "$part" in
    starter) starter_scenarios;;
    pool) pool_scenarios ours & pool_scenarios htcondor &;;
    pool:ours|pool:htcondor) pool_scenarios "${part#pool:}" &;;
    *) echo "interop: unknown part $part"; exit 2;;
  esac
done
scenarios=$(jobs -p)
limit=${VMGAHP_INTEROP_TIMEOUT:-900}
( sleep "$limit"; echo "== interop: TIMEOUT after $limit s: stopping the scenarios still running"
  for p in $scenarios; do kill -TERM $p $(descendants $p) 2>/dev/null; done ) &
watchdog=$!
wait $scenarios
kill $watchdog $(descendants $watchdog) 2>/dev/null
for f in "$W"/begun/*; do
  [ -e "$f" ] || continue
  n=${f##*/}; ls "$W/results/"*".$n" >/dev/null 2>&1 || echo "did not finish (see $W)" > "$W/results/fail.$n"
done

for f in "$W"/results/*; do
  [ -e "$f" ] || continue
  n=${f##*/}; verdict=${n%%.*}; rest=${n#*.}; gahp=${rest%%.*}; scen=${rest#*.}; scen=${scen//://}
  printf '%-7s %-36s %-10s %s\n' "$(echo "$verdict" | tr a-z A-Z)" "$scen" "[$gahp]" "$(cat "$f")"
done | sort -k2,2 -k3,3
pass=$(ls "$W/results" | grep -c '^pass\.'); fail=$(ls "$W/results" | grep -c '^fail\.')
echo "== interop: what each gahp did (for README's table)"
for scen in $(ls "$W/outcomes" | sed 's/^[a-z]*\.//' | sort -u); do
  printf '| %s | %s | %s |\n' "${scen//://}" "$(cat "$W/outcomes/ours.$scen" 2>/dev/null)" "$(cat "$W/outcomes/htcondor.$scen" 2>/dev/null)"
done
if [ -n "$(ls "$W/figures")" ]; then
  echo "== interop: figures (BENCHMARKS.md)"; cat "$W"/figures/*
fi
echo "== interop: $(( SECONDS - t0 )) s$([ "$fail" -gt 0 ] && echo "; logs kept in $W")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
