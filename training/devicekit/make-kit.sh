#!/usr/bin/env bash
# Builds build/devicekit: the renderer (devicekit-render), the libraries it
# needs (stubs.py), the plate fonts at their system paths, and the scripts a
# GPU machine runs. About 47 MB; carry it with the device tool's `carry`.
set -euo pipefail
cd "$(dirname "$0")/../.."
KIT=build/devicekit
rm -rf "$KIT" && mkdir -p "$KIT/fonts"
# The binary runs itself through the carried loader and libraries (its ELF
# interpreter, relative to the repository root where it is run, and its
# rpath): the detector's model check starts the binary again as a child
# (engine/onnx), which a loader named on the command line would not pass on.
go build -ldflags "-s -w -I $KIT/lib/ld-linux-x86-64.so.2 -r \$ORIGIN/lib" -o "$KIT/render" ./training/devicekit
/usr/bin/python3 training/devicekit/stubs.py "$KIT/render" "$KIT/lib"
# The renderer opens its typefaces at these paths (sim/plate/fonts.go).
for f in $(grep -o '"/usr/share/fonts/[^"]*"' sim/plate/fonts.go | tr -d '"'); do
  if [ -f "$f" ]; then mkdir -p "$KIT/fonts$(dirname "$f")"; cp "$f" "$KIT/fonts$f"; fi
done
# Check: the kit renders what this machine renders, byte for byte.
"$KIT/render" --for reader --split-lines --count 200 --seed 1001 --out "$KIT/check" 2>/dev/null
go run ./training/devicekit --for reader --split-lines --count 200 --seed 1001 --out "$KIT/check-here" 2>/dev/null
cmp -s "$KIT/check/images.u8" "$KIT/check-here/images.u8" || { echo "make-kit: the kit renders differently" >&2; exit 1; }
"$KIT/render" --for reader --split-lines --engine-patches --count 20 --seed 3001 --out "$KIT/check-patches" 2>/dev/null
go run ./training/devicekit --for reader --split-lines --engine-patches --count 20 --seed 3001 --out "$KIT/check-patches-here" 2>/dev/null
cmp -s "$KIT/check-patches/images.u8" "$KIT/check-patches-here/images.u8" && [ -s "$KIT/check-patches/images.u8" ] \
  || { echo "make-kit: the kit cuts engine patches differently" >&2; exit 1; }
head -c 1536000 "$KIT/check/images.u8" | md5sum | cut -d' ' -f1 > "$KIT/check.md5"
rm -rf "$KIT/check" "$KIT/check-here" "$KIT/check-patches" "$KIT/check-patches-here"
du -sh "$KIT"
