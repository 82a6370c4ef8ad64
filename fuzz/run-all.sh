#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other, and prints a
# summary: runs, executions per second, peak memory, the slowest input (s), and the crash file
# if one was found.
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]     SECONDS defaults to 600
#
# Logs go to fuzz/logs/<target>.log, crashes to fuzz/artifacts/<target>/. Extra libFuzzer
# options can be passed in FUZZ_ARGS (e.g. FUZZ_ARGS="-fork=1 -ignore_crashes=1").
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
[ -d corpus ] || ./seed.sh >/dev/null
mkdir -p logs
cargo +nightly fuzz build || exit 2

summary=()
failed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1
    status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ -z "$runs" ]; then # stopped by a crash: take the last status line
        runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
        speed=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
        rss=$(grep -o 'rss: [0-9]*Mb' "$log" | tail -1 | grep -o '[0-9]*')
    fi
    crash=$(grep -o 'Test unit written to [^ ]*' "$log" | sed 's/Test unit written to //' | grep -v '/slow-unit-' | tr '\n' ' ')
    slow=$(grep -o 'Test unit written to [^ ]*/slow-unit-[^ ]*' "$log" | sed 's/Test unit written to //' | tr '\n' ' ')
    slowest=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    row=$(printf '%-18s %12s %8s %7s %8s' "$target" "${runs:-?}" "${speed:-?}" "${rss:-?}" "${slowest:-?}")
    if [ "$status" -ne 0 ] || [ -n "$crash" ]; then
        failed=1
        kind=$(grep -m1 -o -E "secrecy: the [a-z]+ output" "$log" ||
            grep -m1 -o -E "panicked at [^:]*:[0-9]+|ERROR: [A-Za-z]+: [a-z-]*" "$log")
        summary+=("$row  CRASH ($kind) $crash")
    elif [ -n "$slow" ]; then
        summary+=("$row  ok, slow unit: $slow")
    else
        summary+=("$row  ok")
    fi
done

printf '%-18s %12s %8s %7s %8s  %s\n' target runs exec/s rss_mb slowest result
printf '%s\n' "${summary[@]}"
exit "$failed"
