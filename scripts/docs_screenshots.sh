#!/bin/bash
# Renders the screenshots in docs/images with real objects present: a FIFO between a writer and a
# reader, a pipeline, a Unix socket pair, a loopback TCP connection between two processes. Each picture is
# `ipcscope gui --screenshot` under Xvfb; the process view and the graph are reached by clicking
# through the window with the GUI's test hook, as a user would.
#
#   scripts/docs_screenshots.sh [path/to/ipcscope]
set -euo pipefail
bin=$(realpath "${1:-build/linux/app/ipcscope}")
out=$(cd "$(dirname "$0")/.." && pwd)/docs/images
mkdir -p "$out"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Descriptors inherited from whatever started this script would show up as pipes between it and
# every demo process: close them (bash reads this script through 255).
for fd in $(ls /proc/$$/fd); do
    if ((fd > 2 && fd < 255)); then eval "exec $fd>&-" 2>/dev/null || true; fi
done
# The demo processes hold only their own objects: no standard stream of this script's (a pipe
# when run from another program would link every one of them to it).
mkfifo "$tmp/jobs.fifo"
sleep 600 >"$tmp/jobs.fifo" </dev/null 2>/dev/null & pids+=($!)
cat "$tmp/jobs.fifo" >/dev/null </dev/null 2>/dev/null & reader=$!
pids+=($reader)
{ sleep 600 | cat >/dev/null; } </dev/null 2>/dev/null & pids+=($!)
python3 -c 'import socket, time; a, b = socket.socketpair(); time.sleep(600)' </dev/null >/dev/null 2>&1 & pids+=($!)
python3 - "$tmp/port" <<'PY' >/dev/null 2>&1 & pids+=($!)
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); time.sleep(600)
PY
for _ in $(seq 50); do [[ -s $tmp/port ]] && break; sleep 0.1; done
python3 -c "import socket, sys, time; c = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); time.sleep(600)" "$(cat "$tmp/port")" </dev/null >/dev/null 2>&1 & client=$!
pids+=($client)
sleep 1

export IPCSCOPE_CONFIG_DIR=$tmp/config
shot() {  # name, then gui arguments
    local name=$1; shift
    xvfb-run -a -s "-screen 0 1280x800x24" "$bin" gui --size 1280x800 --screenshot "$out/$name.png" "$@" 2>"$tmp/$name.err" ||
        { cat "$tmp/$name.err" >&2; exit 1; }
    echo "wrote docs/images/$name.png"
}
shot overview --tab overview --frames 10
# The pipes table filtered to the demo's FIFO and pipeline (the machine has many more).
printf 'wait-data\nframes 3\nclick filter\ntype sleep\nframes 3\nclick row fifo\nframes 5\n' >"$tmp/pipes.script"
shot pipes --tab pipes --test-script "$tmp/pipes.script" --test-output "$tmp/pipes.out"
printf 'wait-data\nframes 3\nclick process-search\ntype %s\nframes 3\nclick process %s  *\nframes 5\n' "$reader" "$reader" >"$tmp/process.script"
shot processes --tab processes --test-script "$tmp/process.script" --test-output "$tmp/process.out"
printf 'wait-data\nframes 3\nclick process-search\ntype %s\nframes 3\nclick process %s  *\nframes 3\nclick tab Graph\nframes 5\n' "$reader" "$reader" >"$tmp/graph.script"
shot graph --tab processes --test-script "$tmp/graph.script" --test-output "$tmp/graph.out"
# The Mailslots monitor on a free UDP port, typed in as a user would; once it listens, a few real
# mailslot datagrams to \\.\mailslot\... go to it over loopback (127.0.0.1 only), and one is opened in
# the hex view.
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(
    for _ in $(seq 100); do [[ -n $(ss -Hlun "sport = :$port") ]] && break; sleep 0.2; done
    "$bin" send '\\.\mailslot\ipcscope\status' --port "$port" --hex 00010203fe7f80ff48656c6c6f --timeout 2000 >/dev/null
    for msg in "backup finished on node 3" "disk quota at 91 percent" "print job 42 done"; do
        sleep 0.3
        "$bin" send '\\.\mailslot\ipcscope\alerts' --port "$port" --text "$msg" --timeout 2000 >/dev/null
    done
) </dev/null 2>"$tmp/send.err" & sender=$!
pids+=($sender)
printf 'wait-data\nframes 3\nclick monitor-port 138\nkey ctrl+A\ntype %s\nframes 2\nclick button Start monitor\nidle 3000\nclick datagram print job 42 done\nframes 3\nclick datagram disk quota*\nframes 5\n' "$port" >"$tmp/mailslots.script"
shot mailslots --tab mailslots --test-script "$tmp/mailslots.script" --test-output "$tmp/mailslots.out"
wait "$sender" || { cat "$tmp/send.err" >&2; exit 1; }
shot throughput --tab throughput --probe shm,tcp,pipe --frames 5
