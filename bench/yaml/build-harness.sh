#!/usr/bin/env bash
# Builds bench/out/yaml-splice from Sources/BKFix/Editing and the Yams checkout (run `swift build` once first).
set -euo pipefail
cd "$(dirname "$0")/../.."
Y=.build/checkouts/Yams/Sources
OUT=bench/out/harness
[ -d "$Y" ] || { echo "no Yams checkout: run 'swift build' first" >&2; exit 1; }
mkdir -p "$OUT/cyaml" "$OUT/modules"
for c in "$Y"/CYaml/src/*.c; do
    clang -O2 -DYAML_DECLARE_STATIC -c "$c" -I "$Y/CYaml/include" -o "$OUT/cyaml/$(basename "$c" .c).o"
done
ar rcs "$OUT/libCYaml.a" "$OUT"/cyaml/*.o
swiftc -O -swift-version 5 -parse-as-library -D SWIFT_PACKAGE -Xcc -DYAML_DECLARE_STATIC -module-name Yams -I "$Y/CYaml/include" \
    -emit-module -emit-module-path "$OUT/modules/Yams.swiftmodule" -emit-library -static -o "$OUT/libYams.a" \
    "$Y"/Yams/*.swift
swiftc -O -static-stdlib -swift-version 6 -Xcc -DYAML_DECLARE_STATIC -module-name yamlsplice -I "$OUT/modules" -I "$Y/CYaml/include" \
    Sources/BKFix/Editing/*.swift bench/yaml/harness/main.swift -L "$OUT" -lYams -lCYaml -o bench/out/yaml-splice
echo "built bench/out/yaml-splice"
