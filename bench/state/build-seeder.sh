#!/usr/bin/env bash
# Builds bench/out/state/seed against the release build's BKFix objects (make release first; they are built for
# the static Swift runtime, so the seeder links it statically too).
set -euo pipefail
cd "$(dirname "$0")/../.."
REL=.build/release
OUT=${OUT:-bench/out/state}
mkdir -p "$OUT"
[ -d "$REL/Modules" ] || { echo "no release build: run 'swift build -c release' first" >&2; exit 1; }
mapfile -t objects < <(find "$REL/BKFix.build" "$REL/Yams.build" "$REL/CYaml.build" -name '*.o' | sort)
swiftc -O -static-stdlib -swift-version 6 -module-name seed -I "$REL/Modules" -I Sources/CLibGit2 \
    -I .build/checkouts/Yams/Sources/CYaml/include \
    bench/state/seed/main.swift "${objects[@]}" -lgit2 -o "$OUT/seed"
