#!/usr/bin/env bash
# Fuzzes the ClassAd lexer/parser/evaluator with libFuzzer for SECONDS (default 60).
#
# Builds Fuzz/ClassAdFuzz with swiftc (ASan + libFuzzer) straight over
# Sources/ClassAd/*.swift, outside SwiftPM, seeds a corpus from the shared job ads and
# ClassAd vectors, and exits non-zero when libFuzzer finds a crash (the reproducer is
# left in fuzz-artifacts/classad/).
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in (*[!0-9]*|'') echo "usage: $0 [SECONDS]" >&2; exit 2;; esac

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${VMGAHP_SHARED:-$root/../shared}"
for candidate in "$shared" "$root/../../shared"; do
    if [ -d "$candidate/corpus" ]; then shared="$candidate"; break; fi
done

work="$root/.build/fuzz-classad"
artifacts="$root/fuzz-artifacts/classad"
corpus="$work/corpus"
mkdir -p "$work" "$corpus" "$artifacts"

binary="$work/classad-fuzz"
# The linker's chatter about ASan's local symbols goes to a log, shown only on failure.
if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name ClassAdFuzz \
    "$root"/Sources/ClassAd/*.swift "$root"/Fuzz/ClassAdFuzz/FuzzEntry.swift \
    -o "$binary" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "fuzz build failed" >&2
    exit 2
fi

# Seeds: every job-ad line and every vector line, one file each (named by content hash).
if [ -d "$shared/corpus" ]; then
    python3 - "$shared" "$corpus" <<'PY'
import hashlib, json, os, pathlib, sys
shared, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
seeds = []
for ad in sorted((shared / "corpus/jobads").glob("*.ad")):
    text = ad.read_bytes()
    seeds.append(text)
    seeds.extend(line for line in text.splitlines() if line)
vectors = json.loads((shared / "corpus/classad/old-syntax-vectors.json").read_text())
for vector in vectors["vectors"]:
    if "line" in vector:
        seeds.append(vector["line"].encode())
    if "ad" in vector:
        seeds.append("\n".join(vector["ad"]).encode())
for seed in seeds:
    (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
PY
else
    echo "warning: no shared corpus found at $shared; fuzzing from an empty corpus" >&2
    printf 'A = 1' > "$corpus/minimal"
fi

cd "$work"
exec "$binary" "$corpus" \
    -dict="$root/Fuzz/ClassAdFuzz/classad.dict" \
    -max_total_time="$seconds" \
    -max_len=4096 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1
