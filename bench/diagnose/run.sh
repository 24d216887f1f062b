#!/usr/bin/env bash
# Diagnosis benchmark (issue 5): live classification of a 10,000-pod cluster against jq and Python's json, and text
# diagnosis throughput on a 200 MB log. Every contender runs as a whole process, in the same run, under
# /usr/bin/time -v (wall time and peak RSS). Inputs are generated into bench/out/ (git-ignored).
#
#   bench/diagnose/run.sh            # uses .build/release/bkfix when it has `diagnose`, else the scanner driver
#   PODS=2000 LOG_MB=50 bench/diagnose/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out
mkdir -p "$OUT"
PODS=${PODS:-10000}
LOG_MB=${LOG_MB:-200}

[ -s "$OUT/pods-$PODS.json" ] || python3 bench/diagnose/gen_pods.py "$OUT/pods-$PODS.json" "$PODS"
[ -s "$OUT/log-$LOG_MB.log" ] || python3 bench/diagnose/gen_log.py "$OUT/log-$LOG_MB.log" "$LOG_MB"

BKFIX=${BKFIX:-.build/release/bkfix}
have_cli=false
if [ -x "$BKFIX" ] && "$BKFIX" diagnose --help 2>&1 | grep -q -- "--live"; then have_cli=true; fi

# A stand-in kubectl that serves the generated document, empty lists for the follow-up queries, and a short log.
STANDIN=$(mktemp -d)
trap 'rm -rf "$STANDIN"' EXIT
cat > "$STANDIN/kubectl" <<STANDIN_EOF
#!/bin/sh
case "\$*" in
  "get pods -A -o json") exec cat "$PWD/$OUT/pods-$PODS.json" ;;
  "get events -n "*" -o json"|"get pvc -A -o json"|"get sc -o json") echo '{"kind":"List","items":[]}' ;;
  "logs -p "*) echo "java.lang.OutOfMemoryError: Java heap space" ;;
  *) echo "stand-in kubectl: unexpected argv: \$*" >&2; exit 97 ;;
esac
STANDIN_EOF
chmod +x "$STANDIN/kubectl"

measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" > "$OUT/result-$name.out" 2> "$OUT/result-$name.time" || { cat "$OUT/result-$name.time" >&2; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$OUT/result-$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$OUT/result-$name.time" | awk '{print $NF}')
  printf "| %-34s | %10s | %9d MiB |\n" "$name" "$wall" $((rss / 1024))
}

echo "## live: not-Ready pods of $PODS ($(du -mL "$OUT/pods-$PODS.json" | cut -f1) MB of kubectl JSON)"
echo "| contender | wall (m:s) | peak RSS |"
echo "|---|---|---|"
if $have_cli; then
  measure "bkfix diagnose --live --json" env PATH="$STANDIN:$PATH" "$BKFIX" diagnose --live --json
else
  mkdir -p "$STANDIN/driver" && cp bench/diagnose/podscan_main.swift "$STANDIN/driver/main.swift"
  swiftc -O -o "$OUT/podscan" "$STANDIN/driver/main.swift" Sources/BKFix/Cluster/JSONCursor.swift \
    Sources/BKFix/Cluster/PodListScanner.swift Sources/BKFix/Cluster/PodSummary.swift
  measure "bkfix pod scanner (driver)" "$OUT/podscan" "$OUT/pods-$PODS.json"
fi
measure "jq (Debian)" jq -r -f bench/diagnose/classify.jq "$OUT/pods-$PODS.json"
measure "python3 json" python3 bench/diagnose/classify.py "$OUT/pods-$PODS.json"
if ! $have_cli; then
  if cmp -s <(sort "$OUT/result-bkfix pod scanner (driver).out") <(sort "$OUT/result-jq (Debian).out") &&
     cmp -s <(sort "$OUT/result-jq (Debian).out") <(sort "$OUT/result-python3 json.out"); then
    echo "all three agree on $(wc -l < "$OUT/result-jq (Debian).out") not-Ready pods"
  else
    echo "MISMATCH between contenders" >&2; exit 1
  fi
fi

echo
echo "## text: $(du -mL "$OUT/log-$LOG_MB.log" | cut -f1) MB log"
if $have_cli; then
  echo "| contender | wall (m:s) | peak RSS |"
  echo "|---|---|---|"
  measure "bkfix diagnose LOG --json" "$BKFIX" diagnose --json "$OUT/log-$LOG_MB.log"
  secs=$(grep "Elapsed (wall clock)" "$OUT/result-bkfix diagnose LOG --json.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "throughput: $(python3 -c "import os; print(round(os.path.getsize('$OUT/log-$LOG_MB.log') / 1048576 / max($secs, 0.01), 1))") MB/s"
  grep -o '"case" *: *"[a-z0-9-]*"' "$OUT/result-bkfix diagnose LOG --json.out" | sort | uniq
else
  # No `diagnose` in the CLI yet: link the text driver against the release build's objects.
  [ -d .build/release/BKFix.build ] || swift build -c release --product bkfix
  mkdir -p "$STANDIN/text" && cp bench/diagnose/textscan_main.swift "$STANDIN/text/main.swift"
  swiftc -O -o "$OUT/textscan" "$STANDIN/text/main.swift" -I .build/release/Modules \
    -I .build/checkouts/Yams/Sources/CYaml/include -I Sources/CLibGit2 .build/release/BKFix.build/*.o \
    .build/release/Yams.build/*.o .build/release/CYaml.build/src/*.o -lgit2
  echo "| contender | wall (m:s) | peak RSS |"
  echo "|---|---|---|"
  measure "bkfix Diagnoser (driver)" "$OUT/textscan" cases "$OUT/log-$LOG_MB.log"
  secs=$(grep "Elapsed (wall clock)" "$OUT/result-bkfix Diagnoser (driver).time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "throughput: $(python3 -c "import os; print(round(os.path.getsize('$OUT/log-$LOG_MB.log') / 1048576 / max($secs, 0.01), 1))") MB/s"
  cut -d' ' -f1 "$OUT/result-bkfix Diagnoser (driver).out" | sort
fi
