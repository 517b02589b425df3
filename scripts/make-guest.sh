#!/bin/bash
# make-guest.sh OUTDIR - a tiny Linux guest built offline from Debian packages (TCG only on
# paravirtual-KVM hosts, where a stock kernel does not boot under KVM):
#   OUTDIR/vmlinuz            Debian's kernel (linux-image-amd64's current dependency)
#   OUTDIR/initramfs.cpio.gz  busybox-static + button.ko + evdev.ko + an /init that prints
#                             "GUEST-BOOT-OK uptime=... mode=..." on ttyS0
# Kernel command line: guest=sleep (default: stay up; the ACPI power button powers off),
# guest=poweroff (power off at once), guest.hb=N (a "GUEST-HB n uptime" line every N s).
# Needs apt-get (Debian repositories reachable), dpkg-deb, gzip; not root. ~5-10 s (71 MB download).
set -euo pipefail
OUT=${1:?usage: make-guest.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

KERNEL_PKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$KERNEL_PKG" ] || { echo "make-guest: cannot resolve the kernel package (apt-get update first)" >&2; exit 1; }
apt-get download -q "$KERNEL_PKG" busybox-static >/dev/null 2>&1 || apt-get download "$KERNEL_PKG" busybox-static
dpkg-deb --fsys-tarfile "$KERNEL_PKG"_*.deb | tar -x --wildcards './boot/vmlinuz-*' \
  './lib/modules/*/kernel/drivers/acpi/button.ko' './lib/modules/*/kernel/drivers/input/evdev.ko'
dpkg-deb -x busybox-static_*.deb busybox
cp boot/vmlinuz-* "$OUT/vmlinuz"

ROOT=rootfs
mkdir -p $ROOT/bin $ROOT/proc $ROOT/sys $ROOT/dev $ROOT/lib/modules
cp busybox/bin/busybox $ROOT/bin/busybox
cp lib/modules/*/kernel/drivers/acpi/button.ko lib/modules/*/kernel/drivers/input/evdev.ko $ROOT/lib/modules/
cat > $ROOT/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
say() { echo "$*" > /dev/ttyS0; }
mode=sleep
heartbeat=0
for word in $(cat /proc/cmdline); do
  case "$word" in
    guest=*) mode=${word#guest=} ;;
    guest.hb=*) heartbeat=${word#guest.hb=} ;;
  esac
done
# The ACPI power button reaches user space as an input event (button.ko + evdev.ko).
insmod /lib/modules/button.ko 2>/dev/null
insmod /lib/modules/evdev.ko 2>/dev/null
for input in /sys/class/input/input*; do
  case "$(cat "$input/name" 2>/dev/null)" in
    *"Power Button"*)
      for event in "$input"/event*; do
        ( dd if="/dev/input/${event##*/}" of=/dev/null bs=24 count=1 2>/dev/null
          say "GUEST-ACPI-POWEROFF"; sync; poweroff -f ) &
      done ;;
  esac
done
say "GUEST-BOOT-OK uptime=$(cut -d' ' -f1 /proc/uptime) mode=$mode"
if [ "$mode" = poweroff ]; then say "GUEST-POWEROFF"; poweroff -f; fi
n=0
while true; do
  if [ "$heartbeat" -gt 0 ] 2>/dev/null; then
    sleep "$heartbeat"; n=$((n + 1)); say "GUEST-HB $n $(cut -d' ' -f1 /proc/uptime)"
  else
    sleep 3600
  fi
done
INIT
chmod 755 $ROOT/init
(cd $ROOT && find . | ../busybox/bin/busybox cpio -o -H newc 2>/dev/null | gzip -9 > "$OUT/initramfs.cpio.gz")
echo "make-guest: $OUT/vmlinuz $OUT/initramfs.cpio.gz"
