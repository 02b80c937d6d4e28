#!/usr/bin/env bash
# `ipcscope.exe serve` under Wine, scraped from the Linux side over loopback: a helper holds a
# real named pipe, the metrics count it, promtool accepts the exposition, and the JSON API
# filters by kind.
#   serve_wine_test.sh WINE_RUN IPCSCOPE_EXE HELPER_EXE
set -euo pipefail
wine_run=$1 exe=$2 helper=$3
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- serve log:" >&2; cat "$tmp/serve.log" >&2 || true; exit 1; }

# Waits (bounded) until FILE contains PATTERN.
wait_for() {
  local file=$1 pattern=$2 limit=$3
  for _ in $(seq $((limit * 10))); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

pipe=ipcscope-serve-$$
"$wine_run" "$helper" pipes "$pipe" >"$tmp/helper.log" 2>&1 &
pids+=($!)
wait_for "$tmp/helper.log" '^ready' 60 || fail "the helper did not create its pipe: $(cat "$tmp/helper.log")"

"$wine_run" "$exe" serve --listen 127.0.0.1:0 --interval 500 --seconds 60 >"$tmp/serve.log" 2>&1 &
pids+=($!)
wait_for "$tmp/serve.log" 'serving http://127\.0\.0\.1:[0-9]+/metrics' 60 || fail "serve did not start"
port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$tmp/serve.log" | head -n1 | cut -d: -f2)

# The first snapshot under Wine takes a few seconds: scrape until the pipe is counted.
count=0
for _ in $(seq 60); do
  if curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" -o "$tmp/metrics.txt"; then
    count=$(sed -nE 's/^ipcscope_objects\{family="pipes",kind="named-pipe"\} ([0-9]+)$/\1/p' "$tmp/metrics.txt")
    [ "${count:-0}" -ge 1 ] && break
  fi
  sleep 0.5
done
[ "${count:-0}" -ge 1 ] || fail "no named pipe counted in /metrics"
grep -qE '^ipcscope_build_info\{version="[^"]+",platform="windows"\} 1$' "$tmp/metrics.txt" || fail "no build_info for windows"
grep -q '^ipcscope_unix_socket_queue_bytes' "$tmp/metrics.txt" && fail "unix socket queues reported on Windows"
promtool check metrics <"$tmp/metrics.txt" >"$tmp/promtool.txt" 2>&1 || fail "promtool: $(cat "$tmp/promtool.txt")"
[ -s "$tmp/promtool.txt" ] && fail "promtool: $(cat "$tmp/promtool.txt")"

curl -sf --max-time 5 "http://127.0.0.1:$port/api/snapshot?kind=named-pipe" -o "$tmp/snap.json" || fail "/api/snapshot"
grep -q '"platform": "windows"' "$tmp/snap.json" || fail "snapshot is not from windows"
grep -q "$pipe" "$tmp/snap.json" || fail "the helper's pipe $pipe is not in /api/snapshot?kind=named-pipe"
grep -q '"kind": "fifo"' "$tmp/snap.json" && fail "?kind=named-pipe returned other kinds"
[ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics")" = 405 ] || fail "POST not refused"
[ "$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz")" = ok ] || fail "/healthz"
echo "ok: $count named pipes counted on port $port"
