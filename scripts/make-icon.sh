#!/usr/bin/env bash
# Renders assets/ipcscope.svg into assets/ipcscope.ico (16 to 256 px), the icon of ipcscope.exe.
# Run it after changing the SVG and commit both: the build uses the committed .ico.
# Needs librsvg2-bin (rsvg-convert) and icoutils (icotool).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pngs=()
for size in 16 24 32 48 64 256; do
  rsvg-convert -w "$size" -h "$size" assets/ipcscope.svg -o "$tmp/$size.png"
  pngs+=("$tmp/$size.png")
done
# The 256 px image stays PNG-compressed inside the .ico, as Windows expects; the others are BMPs.
icotool -c -o assets/ipcscope.ico -r "$tmp/256.png" "${pngs[@]:0:5}"
