#!/usr/bin/env bash
# Bounded libFuzzer runs: scripts/fuzz.sh wire|classad|image [SECONDS]
#   wire:    the GAHP line reader and dispatcher (target gahp-fuzz)
#   classad: the old-syntax ClassAd lexer, parser, evaluator and writer (target classad-fuzz)
#   image:   the disk image header reader (target image-fuzz), seeded with images qemu-img makes
# Built with `swift build -Xswiftc -sanitize=fuzzer,address` into .build-fuzz; exits non-zero
# on a finding, which is left in .build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh wire|classad|image [SECONDS]}
seconds=${2:-60}
case "$target" in
  wire) product=gahp-fuzz ;;
  classad) product=classad-fuzz ;;
  image) product=image-fuzz ;;
  *) echo "unknown fuzz target '$target'" >&2; exit 2 ;;
esac
swift build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product "$product" 2>&1 \
  | grep -vE "Cannot export local symbol" | grep -E "error|Build" || true
work=.build-fuzz/corpus-$target
mkdir -p "$work" .build-fuzz/findings
cp -n scripts/fuzz-seeds/"$target"/* "$work"/ 2>/dev/null || true
# Image seeds: the first 64 KiB of a clean image of every format, and of images with
# backing files and external data files (the fuzzer mutates the headers from there).
if [ "$target" = image ] && command -v qemu-img >/dev/null; then
  tmp=$(mktemp -d)
  for spec in qcow2: qcow2:compat=0.10 qed: vmdk: vmdk:subformat=streamOptimized vdi: vpc: vhdx:; do
    fmt=${spec%%:*} opt=${spec#*:}
    qemu-img create -q -f "$fmt" ${opt:+-o "$opt"} "$tmp/clean.$fmt" 1M
    head -c 65536 "$tmp/clean.$fmt" >"$work/seed-$fmt-${opt:-plain}"
  done
  qemu-img create -q -f qcow2 -u -F raw -b /etc/shadow "$tmp/backed" 1M && head -c 65536 "$tmp/backed" >"$work/seed-backing"
  qemu-img create -q -f qcow2 -o data_file="$tmp/data" "$tmp/datafile" 1M && head -c 65536 "$tmp/datafile" >"$work/seed-data-file"
  qemu-img create -q -f qed -u -F raw -b /etc/shadow "$tmp/backed.qed" 1M && head -c 4096 "$tmp/backed.qed" >"$work/seed-qed-backing"
  rm -rf "$tmp"
fi
# Seeds from the HTCondor-made fixtures: every job ad, each of its lines, every ClassAd vector.
if [ "$target" != image ]; then
  python3 - Tests/Fixtures "$work" <<'PY'
import hashlib, json, pathlib, sys
fixtures, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
seeds = []
for ad in sorted((fixtures / "jobads").glob("*.ad")):
    text = ad.read_bytes()
    seeds += [text] + [line for line in text.splitlines() if line]
for vector in json.loads((fixtures / "classad/old-syntax-vectors.json").read_text())["vectors"]:
    if "line" in vector:
        seeds.append(vector["line"].encode())
    if "ad" in vector:
        seeds.append("\n".join(vector["ad"]).encode())
for seed in seeds:
    (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
PY
fi
dict=()
[ -f "scripts/fuzz-seeds/$target.dict" ] && dict=(-dict="scripts/fuzz-seeds/$target.dict")
SWIFT_BACKTRACE=enable=no ".build-fuzz/debug/$product" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -max_len=65536 \
  -artifact_prefix=.build-fuzz/findings/ -print_final_stats=1 "$work" 2>&1 \
  | grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==|SUMMARY|.*(ERROR|crash|deadly))" || true
test -z "$(ls -A .build-fuzz/findings)" || { echo "fuzz findings in .build-fuzz/findings" >&2; exit 1; }
echo "fuzz $target: no findings in ${seconds} s"
