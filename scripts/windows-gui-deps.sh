#!/usr/bin/env bash
# Builds what the Windows build needs from Debian source packages, since Debian ships no mingw
# builds of SDL2, Dear ImGui or cpp-httplib (its binary package is a Linux library; the source
# package has the header-only form):
#   1. adds deb-src entries derived from the machine's deb entries (once; needs root),
#   2. `apt-get source libsdl2 imgui cpp-httplib` into <out>/src,
#   3. cross-builds SDL2 as a static library with mingw-w64 into <out>/win64.
# The windows CMake preset picks <out> up (IPCSCOPE_WIN_GUI_DEPS, default build/gui-deps);
# a second run finds everything in place and does nothing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/build/gui-deps}
jobs=${IPCSCOPE_JOBS:-2}
mkdir -p "$out/src"

cd "$out/src"
need=()
ls -d libsdl2-*/ >/dev/null 2>&1 || need+=(libsdl2)
ls -d imgui-*/ >/dev/null 2>&1 || need+=(imgui)
ls -d cpp-httplib-*/ >/dev/null 2>&1 || need+=(cpp-httplib)
if [ ${#need[@]} -eq 0 ] && [ -f "$out/win64/.ipcscope-ready" ]; then
  echo "Windows dependencies already in $out"
  exit 0
fi

if [ ${#need[@]} -gt 0 ] && ! apt-get source --print-uris libsdl2 >/dev/null 2>&1; then
  # deb822 .sources files: the same archives with Types: deb-src. One-line lists: deb -> deb-src.
  derived=/etc/apt/sources.list.d/ipcscope-deb-src.sources
  : >"$derived.tmp"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$derived" ] || continue
    grep -qE '^URIs:.*debian\.org' "$f" || continue  # only Debian's own archives carry sources
    sed -e 's/^Types:.*$/Types: deb-src/' "$f" >>"$derived.tmp"
    echo >>"$derived.tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb .*debian\.org' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
      >/etc/apt/sources.list.d/ipcscope-deb-src.list || true
  fi
  mv "$derived.tmp" "$derived"
  apt-get update -qq
fi

cd "$out/src"
[ ${#need[@]} -eq 0 ] || apt-get source -qq "${need[@]}"
if [ -f "$out/win64/.ipcscope-ready" ]; then
  echo "Windows dependencies in $out"
  exit 0
fi
sdl_src=$(ls -d "$out"/src/libsdl2-*/ | head -n1)

cmake -S "$sdl_src" -B "$out/sdl2-build" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$out/win64" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF \
  -DSDL2_DISABLE_INSTALL_DOCS=ON >/dev/null
cmake --build "$out/sdl2-build" -j"$jobs"
cmake --install "$out/sdl2-build" >/dev/null
touch "$out/win64/.ipcscope-ready"
echo "Windows GUI dependencies built in $out"
