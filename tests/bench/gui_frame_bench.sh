#!/bin/bash
# Frame time of the monitor with 100,000 rows, on the pipes tab and in the process view, on SDL's
# software renderer under Xvfb. The rows come from a generated /proc tree (IPCSCOPE_PROC_ROOT):
# 1,000 processes with 100 pipe fds each, and one process (999, "hub") holding the other end of
# every pipe, so the process view of the hub lists 100,000 objects.
#
#   tests/bench/gui_frame_bench.sh [path/to/ipcscope] [frames]
set -euo pipefail
bin=$(realpath "${1:-build/linux/app/ipcscope}")
frames=${2:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp/proc" <<'PY'
import os, sys
root = sys.argv[1]
def proc(pid, comm):
    os.makedirs(f"{root}/{pid}/fd"); os.makedirs(f"{root}/{pid}/fdinfo")
    open(f"{root}/{pid}/comm", "w").write(comm + "\n")
proc(999, "hub")
for p in range(1000, 2000):
    proc(p, f"bench{p}")
    for f in range(100):
        inode = 100000 + (p - 1000) * 100 + f
        os.symlink(f"pipe:[{inode}]", f"{root}/{p}/fd/{f + 3}")
        open(f"{root}/{p}/fdinfo/{f + 3}", "w").write("pos:\t0\nflags:\t01\nmnt_id:\t15\n")
        hub = 3 + (p - 1000) * 100 + f
        os.symlink(f"pipe:[{inode}]", f"{root}/999/fd/{hub}")
        open(f"{root}/999/fdinfo/{hub}", "w").write("pos:\t0\nflags:\t00\nmnt_id:\t15\n")
os.makedirs(f"{root}/net"); os.makedirs(f"{root}/sysvipc")
for name in ("tcp", "tcp6", "udp", "udp6", "unix"):
    open(f"{root}/net/{name}", "w").write("")
open(f"{root}/sysvipc/shm", "w").write("")
PY

cat >"$tmp/script" <<'S'
wait-data
frames 10
dump pipes
measure FRAMES
click tab Processes
frames 3
click process 999  hub  (100000)
frames 5
dump process
measure FRAMES
S
sed -i "s/FRAMES/$frames/" "$tmp/script"
export IPCSCOPE_PROC_ROOT=$tmp/proc SDL_RENDER_DRIVER=software IPCSCOPE_CONFIG_DIR=$tmp/config
xvfb-run -a -s "-screen 0 1280x800x24" "$bin" gui --tab pipes --interval 600000 --size 1280x800 \
    --test-script "$tmp/script" --test-output "$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
grep -m1 '^rows' "$tmp/out" | cut -f6
echo "pipes tab:    $(grep '^frame-ms' "$tmp/out" | sed -n 1p)"
grep -m1 '^process-title' "$tmp/out" | cut -f6
echo "process view: $(grep '^frame-ms' "$tmp/out" | sed -n 2p)"
