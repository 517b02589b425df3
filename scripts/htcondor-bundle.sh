#!/bin/bash
# htcondor-bundle.sh - where a real HTCondor is, for the tests that compare us with it.
#
# Prints the directory of an HTCondor 25.14 bundle (bin/, sbin/, run-starter, pool) on stdout and
# exits 0; or prints why there is none on stderr and exits 3, so callers can skip with that reason.
# Looked for, in order:
#   $VMGAHP_HTCONDOR              an unpacked bundle or an installation prefix with bin/condor_config_val
#   ../shared/htcondor/*.tar.xz   beside the checkout: unpacked once into $VMGAHP_HTCONDOR_CACHE
#                                 (default /var/tmp/vmgahp-htcondor; every user must be able to traverse
#                                 it, the pool's daemons run as condor and the jobs as vmuser)
# On first use it installs the bundle's runtime packages (its README: libssl3 libsqlite3-0 libgomp1
# libvirt0, and xz-utils to unpack), as root only.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${VMGAHP_HTCONDOR:-}" ]; then
  [ -x "$VMGAHP_HTCONDOR/bin/condor_config_val" ] ||
    { echo "VMGAHP_HTCONDOR=$VMGAHP_HTCONDOR has no bin/condor_config_val" >&2; exit 3; }
  echo "$VMGAHP_HTCONDOR"; exit 0
fi

tarball=$(ls "$here"/../shared/htcondor/htcondor-*-vmtest.tar.xz 2>/dev/null | head -1 || true)
[ -n "$tarball" ] || { echo "no HTCondor: set VMGAHP_HTCONDOR or put the bundle in ../shared/htcondor/" >&2; exit 3; }

cache=${VMGAHP_HTCONDOR_CACHE:-/var/tmp/vmgahp-htcondor}
name=$(basename "$tarball" -vmtest.tar.xz)
bundle=$cache/$name
stamp=$bundle/.unpacked-from

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stat -c %s-%Y "$tarball")" ]; then
  if [ "$(id -u)" = 0 ]; then
    missing=()
    for p in libssl3 libsqlite3-0 libgomp1 libvirt0 xz-utils; do
      dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null >&2
    fi
  fi
  lock=$cache.lock
  mkdir -p "$cache"; chmod 755 "$cache"
  (
    flock 9
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stat -c %s-%Y "$tarball")" ]; then
      rm -rf "$bundle"
      tar -C "$cache" -xJf "$tarball"
      stat -c %s-%Y "$tarball" > "$stamp"
    fi
  ) 9>"$lock"
fi
[ -x "$bundle/bin/condor_config_val" ] || { echo "the bundle unpacked into $bundle has no bin/condor_config_val" >&2; exit 3; }
echo "$bundle"
