#!/bin/bash
# install-deps.sh - the Debian 12 packages vmgahp's libvirt driver builds, tests and runs with.
#
#   libvirt-dev               C API headers + libvirt.so (the CLibvirt system library)
#   libvirt-daemon            libvirtd (monolithic; Debian 12 has no modular daemons)
#   libvirt-daemon-driver-qemu  the QEMU driver inside libvirtd
#   libvirt-clients           virsh, virt-xml-validate (schema checks in the tests)
#   libxml2-utils             xmllint, which virt-xml-validate runs
#   qemu-system-x86, qemu-utils  the emulator and qemu-img
#   pkg-config, binutils      SwiftPM's pkg-config lookup; as/ld/objcopy for the test guest
#   perl                      runs scripts/condor_vm_vmware and its simulator; `prove` (perl-base has neither)
#
# Never libvirt-daemon-system: it pulls in systemd, polkit and iptables; scripts/libvirtd-ctl.sh
# does the little set-up a daemon without systemd needs. Idempotent; ~10-14 s on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libxml2-utils
          qemu-system-x86 qemu-utils pkg-config binutils perl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}"
