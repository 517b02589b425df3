#!/bin/bash
# libvirtd-ctl.sh start|stop|status - a system libvirtd without systemd, for tests and CI (root).
#
# start  Uses a libvirtd that already answers on qemu:///system and starts nothing then
#        (a second privileged daemon steals the first one's sockets). Otherwise: creates the
#        libvirt-qemu user/group Debian's build resolves at start-up, writes a minimal
#        /etc/libvirt/qemu.conf (QEMU as root, no cgroup moves, QEMU output to plain files so
#        no virtlogd is needed), starts `libvirtd --daemon` and waits until it answers.
# stop   Only when `start` launched the daemon (its pidfile exists): destroys its running
#        domains, kills QEMUs it leaves behind (by the pids libvirt recorded, checked to be
#        QEMU), then stops libvirtd by pid. Never by process name.
# Env: LIBVIRTD_PIDFILE (default /run/vmgahp-libvirtd.pid), LIBVIRTD_LOG (default /var/log/libvirt/libvirtd.log)
set -uo pipefail
PIDFILE=${LIBVIRTD_PIDFILE:-/run/vmgahp-libvirtd.pid}
LOG=${LIBVIRTD_LOG:-/var/log/libvirt/libvirtd.log}
URI=qemu:///system
MARK="# written by vmgahp scripts/libvirtd-ctl.sh"

virsh_q() { timeout 20 virsh -q -c "$URI" "$@" </dev/null; }

# Running and not a zombie (orphans are reaped late here, so kill -0 is not enough).
alive() {
  [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

our_pid() { [ -s "$PIDFILE" ] && cat "$PIDFILE"; }

answers() { timeout 5 virsh -c "$URI" uri >/dev/null 2>&1 </dev/null; }

prepare_host() {
  getent group kvm >/dev/null || groupadd --system kvm
  getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
  getent passwd libvirt-qemu >/dev/null || useradd --system --gid libvirt-qemu --groups kvm \
    --home-dir /var/lib/libvirt --no-create-home --shell /usr/sbin/nologin libvirt-qemu
  mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu /run/libvirt
  if [ -f /etc/libvirt/qemu.conf ] && ! grep -qF "$MARK" /etc/libvirt/qemu.conf; then
    mv /etc/libvirt/qemu.conf /etc/libvirt/qemu.conf.before-vmgahp
  fi
  cat > /etc/libvirt/qemu.conf <<CONF
$MARK
user = "root"
group = "root"
cgroup_controllers = [ ]
stdio_handler = "file"
CONF
}

start() {
  if alive "$(our_pid)"; then echo "libvirtd-ctl: already running (pid $(our_pid))"; return 0; fi
  if answers; then echo "libvirtd-ctl: another libvirtd serves $URI; using it, starting nothing"; return 0; fi
  prepare_host
  local t0; t0=$(date +%s%N)
  # The daemon must not inherit our stdout/stderr: a caller reading them to EOF would hang.
  LIBVIRT_LOG_OUTPUTS="3:file:$LOG" libvirtd --daemon --pid-file="$PIDFILE" </dev/null >>"$LOG" 2>&1 ||
    { echo "libvirtd-ctl: libvirtd failed" >&2; return 1; }
  for _ in $(seq 300); do
    if answers; then echo "libvirtd-ctl: up (pid $(our_pid)) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"; return 0; fi
    [ -s "$PIDFILE" ] && ! alive "$(our_pid)" && break
    sleep 0.05
  done
  echo "libvirtd-ctl: libvirtd did not come up; log tail:" >&2
  tail -20 "$LOG" >&2
  return 1
}

stop() {
  local pid; pid=$(our_pid)
  [ -n "$pid" ] || { echo "libvirtd-ctl: no $PIDFILE; nothing of ours to stop"; return 0; }
  if alive "$pid"; then
    for dom in $(virsh_q list --name 2>/dev/null); do
      virsh_q destroy "$dom" >/dev/null 2>&1 && echo "libvirtd-ctl: destroyed domain $dom"
    done
  fi
  for file in /run/libvirt/qemu/*.pid; do
    [ -e "$file" ] || continue
    local q; q=$(cat "$file" 2>/dev/null)
    alive "$q" && grep -q qemu-system "/proc/$q/cmdline" 2>/dev/null || continue
    kill -TERM "$q"
    for _ in $(seq 50); do alive "$q" || break; sleep 0.1; done
    alive "$q" && kill -KILL "$q"
    echo "libvirtd-ctl: killed leftover QEMU $q"
    rm -f "$file" "${file%.pid}.xml"
  done
  if alive "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid"
    echo "libvirtd-ctl: stopped libvirtd $pid"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if alive "$(our_pid)"; then echo "running, pid $(our_pid)"
    elif answers; then echo "another libvirtd answers on $URI"
    else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
