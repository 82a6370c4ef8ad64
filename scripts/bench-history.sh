#!/usr/bin/env bash
# Times `keylint history` over every commit of a repository against the way diff-based scanners
# read history, `git log -p --all | rg -c -F -e sk- -e T3BlbkFJ`, and prints medians of RUNS
# alternating runs, the ratio, and keylint's peak memory.
#
#   scripts/bench-history.sh REPO      REPO: a clone (bare or not), e.g. of openai/openai-python
#   RUNS=5 scripts/bench-history.sh REPO
#
# Installs ripgrep from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="${1:?usage: scripts/bench-history.sh REPO}"
runs="${RUNS:-3}"
command -v rg >/dev/null || {
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep >/dev/null
}
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
echo "building keylint (release)" >&2
cargo build --release --quiet
keylint="$PWD/target/release/keylint"

commits=$(git -C "$repo" rev-list --all | wc -l)
echo "history of $repo: $commits commits"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
k_times=() g_times=() k_mem=()
for _ in $(seq "$runs"); do
  out=$( { /usr/bin/time -f "%e %M" "$keylint" history "$repo" --format json --exit-zero >/dev/null; } 2>&1 | tail -1)
  k_times+=("${out% *}"); k_mem+=("${out#* }")
  start=$(date +%s.%N)
  git -C "$repo" log -p --all | rg -c -F -e sk- -e T3BlbkFJ >/dev/null || true
  g_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
done
k=$(printf '%s\n' "${k_times[@]}" | median)
g=$(printf '%s\n' "${g_times[@]}" | median)
m=$(printf '%s\n' "${k_mem[@]}" | sort -n | tail -1)
printf 'keylint history:                 %6.2f s (median of %d), peak %d MB\n' "$k" "$runs" $((m / 1024))
printf 'git log -p --all | rg -c -F ...: %6.2f s\n' "$g"
printf 'keylint is %.1fx faster\n' "$(echo "$g / $k" | bc -l)"
