#!/bin/bash
# Frame time of the monitor with 100,000 rows, on the pipes tab and in the process view, on SDL's
# software renderer under Xvfb. The rows come from a generated /proc tree (IPCSCOPE_PROC_ROOT):
# 1,000 processes with 100 pipe fds each, and one process (999, "hub") holding the other end of
# every pipe, so the process view of the hub lists 100,000 objects. As the reference measured in
# the same run, the same window with 100 rows (10 processes with 10 pipes each): what drawing the
# window costs whatever the row count. Both are run `runs` times, interleaved, so that load hits
# both alike; the medians of the runs are printed as a Markdown table.
#
#   tests/bench/gui_frame_bench.sh [path/to/ipcscope] [frames] [runs]
set -euo pipefail
bin=$(realpath "${1:-build/linux/app/ipcscope}")
frames=${2:-300}
runs=${3:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
python3 - "$1" "$2" "$3" <<'PY'
import os, sys
root, procs, fds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def proc(pid, comm):
    os.makedirs(f"{root}/{pid}/fd"); os.makedirs(f"{root}/{pid}/fdinfo")
    open(f"{root}/{pid}/comm", "w").write(comm + "\n")
proc(999, "hub")
for p in range(1000, 1000 + procs):
    proc(p, f"bench{p}")
    for f in range(fds):
        inode = 100000 + (p - 1000) * fds + f
        os.symlink(f"pipe:[{inode}]", f"{root}/{p}/fd/{f + 3}")
        open(f"{root}/{p}/fdinfo/{f + 3}", "w").write("pos:\t0\nflags:\t01\nmnt_id:\t15\n")
        hub = 3 + (p - 1000) * fds + f
        os.symlink(f"pipe:[{inode}]", f"{root}/999/fd/{hub}")
        open(f"{root}/999/fdinfo/{hub}", "w").write("pos:\t0\nflags:\t00\nmnt_id:\t15\n")
os.makedirs(f"{root}/net"); os.makedirs(f"{root}/sysvipc")
for name in ("tcp", "tcp6", "udp", "udp6", "unix"):
    open(f"{root}/net/{name}", "w").write("")
open(f"{root}/sysvipc/shm", "w").write("")
PY
}
gen "$tmp/big" 1000 100
gen "$tmp/small" 10 10

# One window: the pipes tab, then the hub in the process view. Prints "pipes-median pipes-p99
# process-median process-p99" in ms.
window() {
    local rows=$1
    cat >"$tmp/script" <<S
wait-data
frames 10
dump pipes
measure $frames
click tab Processes
frames 3
click process 999  hub  ($rows)
frames 5
dump process
measure $frames
S
    rm -rf "$tmp/out" "$tmp/config"
    IPCSCOPE_PROC_ROOT=$2 SDL_RENDER_DRIVER=software IPCSCOPE_CONFIG_DIR=$tmp/config \
        xvfb-run -a -s "-screen 0 1280x800x24" "$bin" gui --tab pipes --interval 600000 --size 1280x800 \
        --test-script "$tmp/script" --test-output "$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    grep -q "^rows.*$rows of $rows rows" "$tmp/out" || { echo "the pipes tab did not show $rows rows" >&2; exit 1; }
    grep -q "^process-title.*999 hub: $rows objects" "$tmp/out" || { echo "the process view did not show $rows objects" >&2; exit 1; }
    grep '^frame-ms' "$tmp/out" | awk '{ printf "%s %s ", $3, $5 } END { print "" }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/big.txt"; : >"$tmp/small.txt"
for ((r = 0; r < runs; ++r)); do
    window 100000 "$tmp/big" >>"$tmp/big.txt"
    window 100 "$tmp/small" >>"$tmp/small.txt"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
col() { awk -v c="$2" '{ print $c }' "$1" | median; }
echo
echo "| view | rows | median ms | p99 ms | 100 rows: median ms | p99 ms | median ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for v in "pipes tab:1" "process view:3"; do
    name=${v%:*}; c=${v#*:}
    bm=$(col "$tmp/big.txt" "$c"); bp=$(col "$tmp/big.txt" $((c + 1)))
    sm=$(col "$tmp/small.txt" "$c"); sp=$(col "$tmp/small.txt" $((c + 1)))
    echo "| $name | 100,000 | $bm | $bp | $sm | $sp | $(awk -v a="$bm" -v b="$sm" 'BEGIN { printf "%.2f", a / b }') |"
done
