#!/usr/bin/env bash
# Times `keylint check` against ripgrep (a lower bound for any tool that reads every byte) and
# ripsecrets over a large real tree, and prints medians, ratios and keylint's peak memory.
#
#   scripts/bench.sh [TREE]     default TREE: the Python standard library (about 630 MB)
#   RUNS=10 scripts/bench.sh    hyperfine runs for keylint and rg (ripsecrets runs once)
#
# Installs what it needs: ripgrep and hyperfine from Debian, ripsecrets with cargo into .bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

tree="${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}"
runs="${RUNS:-10}"
bench_dir="$PWD/.bench"
mkdir -p "$bench_dir"

need_apt=()
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -x "$bench_dir/bin/ripsecrets" ]; then
  echo "installing ripsecrets into $bench_dir" >&2
  cargo install --quiet --locked ripsecrets --root "$bench_dir"
fi
echo "building keylint (release)" >&2
cargo build --release --quiet
keylint="$PWD/target/release/keylint"

files=$(find "$tree" -type f | wc -l)
size=$(du -sh "$tree" | cut -f1)
echo "tree: $tree ($size in $files files)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%Y-%m-%d)"
echo "keylint $("$keylint" --version | cut -d' ' -f2), $(rg --version | head -1), ripsecrets $("$bench_dir/bin/ripsecrets" --version 2>/dev/null | awk '{print $NF}')"
echo

hyperfine --style basic --warmup 2 --runs "$runs" --ignore-failure \
  --export-json "$bench_dir/hyperfine.json" \
  -n keylint "$keylint check --exit-zero --quiet --format json --output /dev/null '$tree'" \
  -n rg "rg -c -F -e sk- -e T3BlbkFJ -e Authorization -e OPENAI_API_KEY '$tree'" >&2

# ripsecrets takes minutes on this tree: one timed run.
start=$(date +%s.%N)
"$bench_dir/bin/ripsecrets" "$tree" >/dev/null 2>&1 || true
end=$(date +%s.%N)
ripsecrets_s=$(python3 -c "print($end - $start)")

/usr/bin/time -v "$keylint" check --exit-zero --quiet --format json --output /dev/null "$tree" \
  2>"$bench_dir/time.txt" >/dev/null
peak_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$bench_dir/time.txt")
findings=$("$keylint" check --exit-zero --quiet --format json "$tree" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["findings"])')

python3 - "$bench_dir/hyperfine.json" "$ripsecrets_s" "$peak_kb" "$findings" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
keylint = statistics.median(results["keylint"]["times"])
rg = statistics.median(results["rg"]["times"])
ripsecrets = float(sys.argv[2])
peak_mb = int(sys.argv[3]) / 1024
print(f"{'tool':<12}{'median s':>10}{'vs rg':>9}")
print(f"{'keylint':<12}{keylint:>10.2f}{keylint / rg:>8.2f}x")
print(f"{'rg':<12}{rg:>10.2f}{1:>8.2f}x")
print(f"{'ripsecrets':<12}{ripsecrets:>10.2f}{ripsecrets / rg:>8.2f}x   (one run)")
print()
print(f"keylint peak memory: {peak_mb:.1f} MB; findings on the tree: {sys.argv[4]}")
print(f"keylint is {ripsecrets / keylint:.0f}x faster than ripsecrets; target: at most 2x rg "
      f"({'met' if keylint <= 2 * rg else 'NOT met'}), peak memory under 100 MB "
      f"({'met' if peak_mb < 100 else 'NOT met'})")
PY
