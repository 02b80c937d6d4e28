#!/bin/sh
# Runs one libFuzzer target for a bounded time and prints how many inputs it executed.
# Usage: run_fuzzer.sh FUZZER SECONDS WORK_CORPUS SEED_CORPUS [libFuzzer options...]
fuzzer=$1 seconds=$2 work=$3 seed=$4
shift 4
[ -d "$seed" ] || seed=
log=$(mktemp)
"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 "$@" "$work" $seed >"$log" 2>&1
status=$?
cat "$log"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
rm -f "$log"
echo "fuzz $(basename "$fuzzer"): ${runs:-?} executions in $seconds s (exit $status)"
exit $status
