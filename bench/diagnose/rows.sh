#!/usr/bin/env bash
# Text diagnosis at memory speed (issue 10, item 6): `bkfix diagnose` of a 200 MB helm-heavy helmfile log (every line
# mentions helm, upgrade, wait; one error in the middle) against `grep -c 'failed to download'` on the same file.
# Contract (bench/README.md): env BKFIX (release binary), RUNS, OUT (scratch dir); prints markdown rows
# `| work | bkfix | peer | ratio | goal | met? |`, medians of RUNS runs, bkfix and grep alternated, each a whole
# process under /usr/bin/time (wall and CPU time, peak RSS). The log is generated into $OUT, never committed.
#
#   BKFIX=$PWD/.build/release/bkfix RUNS=5 OUT=bench/out/diagnose bench/diagnose/rows.sh
#   LOG_MB=50 ... bench/diagnose/rows.sh             # a smaller log
#   BKFIX_BEFORE=/old/bkfix BEFORE_CASES=/old/cases   # also time an older binary (with its own cases/) in the same run
set -euo pipefail
cd "$(dirname "$0")/../.."
BKFIX=${BKFIX:-$PWD/.build/release/bkfix}
RUNS=${RUNS:-5}
OUT=${OUT:-bench/out/diagnose}
LOG_MB=${LOG_MB:-200}
BKFIX_BEFORE=${BKFIX_BEFORE:-}
BEFORE_CASES=${BEFORE_CASES:-cases}
mkdir -p "$OUT"
LOG=$OUT/helm-$LOG_MB.log
[ -s "$LOG" ] || python3 bench/diagnose/gen_helm_log.py "$LOG" "$LOG_MB" >&2
# Read the file once so that no timed run pays for the disk.
cat "$LOG" > /dev/null

# The result must be right before its speed means anything: exactly chart-download-failed, with its params.
check() {
    "$1" diagnose --cases "$2" --json "$LOG" > "$OUT/diagnose.json"
    python3 - "$OUT/diagnose.json" "$1" <<'EOF'
import json, sys
findings = json.load(open(sys.argv[1]))["findings"]
got = [(f["case"], f["params"].get("chart"), f["params"].get("version")) for f in findings]
want = [("chart-download-failed", "blueking/bk-repo", "1.2.3")]
if got != want:
    sys.exit(f"{sys.argv[2]}: wrong diagnosis of the helm-heavy log: {got}, want {want}")
EOF
}
check "$BKFIX" cases
[ -z "$BKFIX_BEFORE" ] || check "$BKFIX_BEFORE" "$BEFORE_CASES"

# One timed run, appended to FILE as "WALL_S CPU_S PEAK_KB".
timed() {
    local file=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" > /dev/null
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$OUT/time.txt" >> "$file"
}
: > "$OUT/bkfix.txt"
: > "$OUT/before.txt"
: > "$OUT/grep.txt"
for _ in $(seq "$RUNS"); do
    timed "$OUT/bkfix.txt" "$BKFIX" diagnose --cases cases --json "$LOG"
    [ -z "$BKFIX_BEFORE" ] || timed "$OUT/before.txt" "$BKFIX_BEFORE" diagnose --cases "$BEFORE_CASES" --json "$LOG"
    timed "$OUT/grep.txt" grep -c 'failed to download' "$LOG"
done

python3 - "$LOG" "$OUT" <<'EOF'
import os, statistics, sys
log, out = sys.argv[1:]
mb = os.path.getsize(log) / 1048576
def medians(name):
    rows = [line.split() for line in open(os.path.join(out, name)) if line.strip()]
    if not rows:
        return None
    wall = max(statistics.median(float(r[0]) for r in rows), 0.001)
    cpu = max(statistics.median(float(r[1]) for r in rows), 0.001)
    return wall, cpu, statistics.median(int(r[2]) for r in rows) / 1024
def cell(m):
    wall, cpu, _ = m
    return f"{wall:.2f} s, {mb / wall:.0f} MB/s (CPU {cpu:.2f} s, {mb / cpu:.0f} MB/s)"
b, g, before = medians("bkfix.txt"), medians("grep.txt"), medians("before.txt")
load = open("/proc/loadavg").read().split()[0]
work = f"diagnose {mb:.0f} MB helm-heavy log (load {load}) vs grep -c"
print(f"| {work}: time | {cell(b)} | {cell(g)} | {g[0] / b[0]:.2f}× | ≥ 200 MB/s (≤ 1 s) | "
      f"{'yes' if mb / b[0] >= 200 else 'no'} |")
print(f"| {work}: peak memory | {b[2]:.0f} MB | {g[2]:.0f} MB | — | as before (33 MB) | "
      f"{'yes' if b[2] <= 35 else 'no'} |")
if before:
    print(f"| same log, bkfix before (BKFIX_BEFORE) vs this bkfix: time | {cell(b)} | {cell(before)} | "
          f"{before[0] / b[0]:.2f}× | — | — |")
    print(f"| same log, bkfix before (BKFIX_BEFORE) vs this bkfix: peak memory | {b[2]:.0f} MB | {before[2]:.0f} MB "
          f"| — | — | — |")
EOF
