#!/usr/bin/env bash
# Set-up, build and test for ipcscope on Debian 12 (as root, or with sudo for apt-get).
#
#   ./dev.sh run    install what is missing, build the linux preset, start the GUI
#   ./dev.sh test   install what is missing, build every preset, run every test
#
# Extra arguments after `run` go to ipcscope (e.g. `./dev.sh run list pipes`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# What building and running the GUI and CLI needs.
run_packages=(
  build-essential cmake ninja-build pkg-config git
  libsdl2-dev libimgui-dev libstb-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libx11-dev libxres-dev libdbus-1-dev libgtest-dev googletest libcpp-httplib-dev fonts-dejavu-core
)
# What the tests add: headless X, the Windows lane (mingw-w64 + Wine), network peers and
# tools for the multi-host tests, a private D-Bus daemon and busctl, clang for the fuzzers,
# benchmark references, Prometheus (a real server scraping `ipcscope serve`, and promtool);
# dpkg-dev for the Debian source packages the Windows GUI is cross-built from and for the
# .deb; lintian, debootstrap and the shells for the package tests.
test_packages=(
  xvfb xauth xclip x11-utils imagemagick
  mingw-w64 wine wine64 dpkg-dev
  iproute2 procps lsof util-linux samba tshark iperf3 hyperfine curl
  dbus-daemon systemd
  clang libclang-rt-14-dev
  lintian debootstrap man-db zsh fish
  prometheus
)

log() { printf '\n== %s  [%s]\n' "$*" "$(date +%T)"; }

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  # The tests run their own nmbd inside a network namespace. Samba's packages start system
  # services where systemd runs: stop those we just brought, so nothing announces itself on
  # the machine's real network.
  if [[ " ${missing[*]} " == *" samba "* ]] && [ -d /run/systemd/system ]; then
    "${sudo[@]}" systemctl disable --now smbd nmbd samba-ad-dc >/dev/null 2>&1 || true
  fi
  # The same for the Prometheus server and the node exporter it recommends: the tests start
  # their own Prometheus on loopback.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    "${sudo[@]}" systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
  fi
}

# build PRESET [cmake --build arguments, e.g. --target T]
build() {
  local preset=$1
  shift
  log "configure and build: $preset $*"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" "$@"
}

# Runs one ctest preset, keeps its output, and adds its counts to the totals.
passed=0
failed=0
suites_failed=()
run_tests() {
  local preset=$1
  shift
  log "tests: $preset"
  local out
  out=$(mktemp)
  set +e
  ctest --preset "$preset" "$@" 2>&1 | tee "$out"
  set -e
  local line
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -n1 || true)
  if [ -n "$line" ]; then
    local f t
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    t=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + t - f))
    failed=$((failed + f))
  else
    failed=$((failed + 1))  # the suite did not even report
  fi
  grep -qE '100% tests passed' "$out" || suites_failed+=("$preset")
  rm -f "$out"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_missing "${run_packages[@]}"
    build linux
    log "starting ipcscope"
    status=0
    build/linux/app/ipcscope "$@" || status=$?
    if [ $status -eq 2 ] && [ $# -eq 0 ]; then
      echo "The same snapshots are available in the terminal, for example:"
      echo "  build/linux/app/ipcscope list pipes"
      echo "  build/linux/app/ipcscope list --json"
    fi
    exit $status
    ;;
  test)
    start=$(date +%s)
    install_missing "${run_packages[@]}" "${test_packages[@]}"
    # A fresh Wine prefix for every run; cmake/wine-run creates it on first use.
    export WINEPREFIX="$PWD/build/wineprefix"
    wineserver -k 2>/dev/null || true
    rm -rf build/wineprefix build/wineprefix.lock build/wine-faults.log
    # Two slow preparations wait mostly on the network and on configure checks: they run in
    # the background while the Linux presets compile.
    mkdir -p build/logs
    log "in the background: Windows GUI dependencies (SDL2 cross-built from Debian's source" \
        "package) and the clean Debian root of the package test"
    scripts/windows-gui-deps.sh >build/logs/windows-gui-deps.log 2>&1 &
    deps_pid=$!
    tests/package/deb_chroot_test.sh --prepare build/debroot >build/logs/debroot.log 2>&1 &
    debroot_pid=$!
    # The tests that every Linux build has run once, under ASan; the release build makes and
    # runs only the rest (label "release": GUI, LAN, packages, D-Bus, serve).
    build linux --target ipcscope_release_lane
    build linux-asan
    log "waiting for the Windows GUI dependencies"
    if ! wait "$deps_pid"; then
      cat build/logs/windows-gui-deps.log
      echo "scripts/windows-gui-deps.sh failed" >&2
      exit 1
    fi
    build windows
    build linux-tsan
    # The package test makes the root itself if this failed; it reports why then.
    wait "$debroot_pid" || { log "preparing the clean Debian root failed:"; tail -20 build/logs/debroot.log; }
    run_tests linux -L release
    run_tests windows
    run_tests linux-asan
    run_tests linux-tsan
    if grep -q '"name": "fuzz"' CMakePresets.json; then
      build fuzz
      run_tests fuzz
      log "fuzz executions"
      grep -h '^fuzz ipcscope_fuzz_' build/fuzz/Testing/Temporary/LastTest.log || true
    fi
    wineserver -k 2>/dev/null || true
    if [ -s build/wine-faults.log ]; then
      log "Wine failed to start a test program (each run once more, by cmake/wine-run):"
      cat build/wine-faults.log
    fi
    log "done in $(( $(date +%s) - start )) s"
    if [ ${#suites_failed[@]} -gt 0 ]; then
      echo "failing suites: ${suites_failed[*]}"
    fi
    echo "total: $passed passed, $failed failed"
    [ $failed -eq 0 ] && [ ${#suites_failed[@]} -eq 0 ]
    ;;
  *)
    echo "usage: ./dev.sh run [ipcscope arguments] | ./dev.sh test" >&2
    exit 2
    ;;
esac
