#!/bin/bash
# make-bootsector.sh OUTDIR [N] - the 512-byte test guest (scripts/bootsector.S), KVM- and TCG-capable:
#   OUTDIR/bootsector.img          raw, 1 MiB: boots, prints GUEST-BOOT-OK and a heartbeat on COM1,
#                                  powers off on an ACPI shutdown request
#   OUTDIR/bootsector.qcow2        the same as qcow2
#   OUTDIR/bootsector-selfoff.img  powers itself off after N heartbeats (default 3, ~6 s):
#                                  a VM job that ends by itself
# Needs binutils (as, ld, objcopy) and qemu-img. ~0.1 s.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: make-bootsector.sh OUTDIR [N]}
N=${2:-3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

as --32 -o "$TMP/bs.o" "$HERE/bootsector.S"
ld -m elf_i386 -Ttext 0x7c00 -e _start -o "$TMP/bs.elf" "$TMP/bs.o"
objcopy -O binary -j .text "$TMP/bs.elf" "$TMP/bs.bin"
[ "$(stat -c %s "$TMP/bs.bin")" = 512 ] || { echo "make-bootsector: image is not 512 bytes" >&2; exit 1; }

truncate -s 1M "$OUT/bootsector.img"
dd if="$TMP/bs.bin" of="$OUT/bootsector.img" conv=notrunc status=none
qemu-img convert -f raw -O qcow2 "$OUT/bootsector.img" "$OUT/bootsector.qcow2"

# The self-powering-off variant: a little-endian 16-bit heartbeat count at offset 508.
cp "$OUT/bootsector.img" "$OUT/bootsector-selfoff.img"
printf "\\x$(printf %02x $((N & 255)))\\x$(printf %02x $(((N >> 8) & 255)))" |
  dd of="$OUT/bootsector-selfoff.img" bs=1 seek=508 conv=notrunc status=none
echo "make-bootsector: $OUT/bootsector.img $OUT/bootsector.qcow2 $OUT/bootsector-selfoff.img (off after $N)"
