#!/bin/bash
# Idle CPU of the monitor: `ipcscope gui` on its default pipes tab at a 2 s refresh, under Xvfb
# (no vsync), nobody touching it. Reports user+system CPU time over wall time of the whole
# process (UI thread and sampler) over 30 s after a 5 s warm-up, the number of objects it shows,
# and as the reference measured in the same run, the CPU that taking the same snapshots costs
# without a window (`ipcscope list --json`, once per refresh).
#
#   tests/bench/gui_idle_bench.sh [path/to/ipcscope] [seconds] [tab]
set -euo pipefail
bin=${1:-build/linux/app/ipcscope}
secs=${2:-30}
tab=${3:-pipes}
interval_ms=2000
tck=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

tmp=$(mktemp -d)
cleanup() {
    [[ -n ${gui:-} ]] && kill "$gui" 2>/dev/null || true
    [[ -n ${xvfb:-} ]] && kill "$xvfb" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" 2>/dev/null &
xvfb=$!
for _ in $(seq 50); do [[ -s $tmp/display ]] && break; sleep 0.1; done
display=":$(cat "$tmp/display")"

DISPLAY=$display "$bin" gui --tab "$tab" --interval "$interval_ms" 2>"$tmp/gui.err" &
gui=$!
sleep 5
t0=$(cpu_ticks "$gui"); w0=$(date +%s.%N)
sleep "$secs"
t1=$(cpu_ticks "$gui"); w1=$(date +%s.%N)
kill "$gui"; wait "$gui" 2>/dev/null || true; gui=

objects=$("$bin" list --json 2>/dev/null | grep -c '"kind"' || true)
# Reference: the snapshots alone, as many as the window took in the same time.
snaps=$(awk -v s="$secs" -v i="$interval_ms" 'BEGIN { printf "%d", s * 1000 / i }')
ref_ticks=0
for _ in $(seq "$snaps"); do
    /usr/bin/time -f "%U %S" -o "$tmp/time" "$bin" list --json >/dev/null 2>&1
    ref_ticks=$(awk -v t="$ref_ticks" '{ print t + $1 + $2 }' "$tmp/time")
done

awk -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" -v tck="$tck" -v objects="$objects" \
    -v ref="$ref_ticks" -v secs="$secs" -v snaps="$snaps" -v tab="$tab" 'BEGIN {
    cpu = (t1 - t0) / tck; wall = w1 - w0
    printf "objects on this machine: %d\n", objects
    printf "gui idle on the %s tab: %.2f s CPU over %.1f s wall = %.2f%% of one core\n", tab, cpu, wall, 100 * cpu / wall
    printf "reference, %d snapshots by ipcscope list --json: %.2f s CPU = %.2f%% of one core over %d s\n", snaps, ref, 100 * ref / secs, secs
}'
