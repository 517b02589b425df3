#!/usr/bin/env bash
# CI for the ways in: builds the Debian package (scripts/package-deb) from the tested build,
# installs it with dpkg -i, runs the installed gahp's probe, doctor and the conformance suite
# against it, removes it with dpkg -r and checks nothing of it is left; then installs and
# uninstalls with scripts/install --prefix and checks the same.
#   scripts/check-package.sh [BINARY]   (default .build/debug/condor_vm-gahp; run as root)
# Packages the debug build: a release build would cost CI minutes and is what package-deb makes
# by default.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/condor_vm-gahp}
installed=/usr/libexec/vmgahp/condor_vm-gahp
link=/etc/condor/config.d/50-vmgahp.conf
work=$(mktemp -d)
made_config_dirs=()
cleanup() {
  dpkg-query -W -f='${db:Status-Abbrev}' vmgahp 2>/dev/null | grep -q '^i' && dpkg -r vmgahp >/dev/null || true
  for dir in "${made_config_dirs[@]}"; do rmdir "$dir" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-package: $*" >&2; exit 1; }

# One package check at a time on a machine (a shared developer host, not CI).
exec 9>/run/vmgahp-check-package.lock
flock 9
if dpkg-query -W -f='${db:Status-Abbrev}' vmgahp 2>/dev/null | grep -q '^i'; then
  fail "vmgahp is already installed here; not touching it"
fi

deb=$(scripts/package-deb --binary "$binary" --output "$work/deb" | tail -1)
mapfile -t paths < <(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}' | grep -v '/$')
# HTCondor's config.d, as an HTCondor host has it, so the package's link is made and removed.
for dir in /etc/condor /etc/condor/config.d; do
  [ -d "$dir" ] || { mkdir "$dir"; made_config_dirs=("$dir" "${made_config_dirs[@]}"); }
done

dpkg -i "$deb" >/dev/null
[ -x "$installed" ] || fail "dpkg -i left no $installed"
[ "$(readlink "$link")" = /usr/share/vmgahp/50-vmgahp.conf ] || fail "no $link after dpkg -i"
grep -qx "VM_GAHP_SERVER = $installed" "$link" || fail "$link does not set VM_GAHP_SERVER = $installed"
zcat /usr/share/man/man1/condor_vm-gahp.1.gz | grep -q '^\.TH CONDOR_VM-GAHP 1' || fail "the man page has no .TH line"
"$installed" --version

cat > "$work/condor_config" <<TEXT
VM_TYPE = kvm
VM_MEMORY = 1024
VM_NETWORKING = false
VM_LIBVIRT_URI = test:///default
EXECUTE = $work
LOG = $work
TEXT
probe=$(CONDOR_CONFIG="$work/condor_config" VMGAHP_USER_UID=65534 "$installed" -f -M 0 vmtype kvm)
echo "$probe" | grep -qx 'VM_Type = "kvm"' || fail "the installed gahp's probe printed: $probe"
echo "installed probe: $(echo "$probe" | paste -sd' ')"
CONDOR_CONFIG="$work/condor_config" "$installed" doctor kvm --start-test >/dev/null || fail "the installed gahp's doctor fails"
.build/debug/gahp-conformance --gahp "$installed" --feature libvirt-test \
  --config 'VM_LIBVIRT_URI = test:///default' --env VMGAHP_USER_UID=65534 protocol-spec/cases | tail -1

dpkg -r vmgahp >/dev/null
dpkg-query -W vmgahp >/dev/null 2>&1 && fail "dpkg still knows vmgahp after dpkg -r: $(dpkg-query -W -f='${Status}' vmgahp)"
for path in "${paths[@]}" /usr/libexec/vmgahp /usr/share/vmgahp /usr/share/doc/vmgahp "$link"; do
  if [ -e "$path" ] || [ -L "$path" ]; then fail "dpkg -r left $path behind"; fi
done
echo "dpkg -r vmgahp: nothing left behind"

prefix=$work/prefix
scripts/install --prefix "$prefix" --binary "$binary" >/dev/null
[ -x "$prefix/sbin/condor_vm-gahp" ] || fail "scripts/install left no $prefix/sbin/condor_vm-gahp"
scripts/install --prefix "$prefix" --uninstall >/dev/null
[ ! -e "$prefix" ] || fail "scripts/install --uninstall left: $(find "$prefix" | paste -sd' ')"
echo "scripts/install --prefix / --uninstall: nothing left behind"
