#!/usr/bin/env bash
# Times `keylint check` against ripgrep (a lower bound for any tool that reads every byte) and
# ripsecrets over a large real tree, and prints medians, ratios, MB/s and keylint's peak memory.
# Without TREE it then does the same (without ripsecrets) over a generated code-heavy tree
# (scripts/gen-code-tree.py, 120 MB, fixed seed): apps that talk to AI providers, where nearly
# every source file names one, unlike the standard library.
#
#   scripts/bench.sh [TREE]     default TREE: the Python standard library (about 630 MB)
#   RUNS=10 scripts/bench.sh    hyperfine runs for keylint and rg (ripsecrets runs once)
#   CODE_MB=200 scripts/bench.sh   size of the generated tree
#
# Installs what it needs: ripgrep and hyperfine from Debian, ripsecrets with cargo into .bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

given_tree="${1:-}"
tree="${given_tree:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}"
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

bytes=$(du -sb "$tree" | cut -f1)
python3 - "$bench_dir/hyperfine.json" "$ripsecrets_s" "$peak_kb" "$findings" "$bytes" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
keylint = statistics.median(results["keylint"]["times"])
rg = statistics.median(results["rg"]["times"])
ripsecrets = float(sys.argv[2])
peak_mb = int(sys.argv[3]) / 1024
mb = int(sys.argv[5]) / 1e6
print(f"{'tool':<12}{'median s':>10}{'vs rg':>9}{'MB/s':>9}")
print(f"{'keylint':<12}{keylint:>10.2f}{keylint / rg:>8.2f}x{mb / keylint:>9.0f}")
print(f"{'rg':<12}{rg:>10.2f}{1:>8.2f}x{mb / rg:>9.0f}")
print(f"{'ripsecrets':<12}{ripsecrets:>10.2f}{ripsecrets / rg:>8.2f}x   (one run)")
print()
print(f"keylint peak memory: {peak_mb:.1f} MB; findings on the tree: {sys.argv[4]}")
print(f"keylint is {ripsecrets / keylint:.0f}x faster than ripsecrets; target: at most 2x rg "
      f"({'met' if keylint <= 2 * rg else 'NOT met'}), peak memory under 100 MB "
      f"({'met' if peak_mb < 100 else 'NOT met'})")
PY

[ -n "$given_tree" ] && exit 0

# The generated code-heavy tree.
code_mb="${CODE_MB:-120}"
code_tree="$bench_dir/code-tree-$code_mb"
if [ ! -d "$code_tree" ]; then
  echo "generating $code_tree" >&2
  python3 scripts/gen-code-tree.py "$code_tree.tmp" "$code_mb" >&2
  mv "$code_tree.tmp" "$code_tree"
fi
echo
echo "tree: $code_tree ($(du -sh "$code_tree" | cut -f1) in $(find "$code_tree" -type f | wc -l) files, generated)"
hyperfine --style basic --warmup 2 --runs "$runs" --ignore-failure \
  --export-json "$bench_dir/hyperfine-code.json" \
  -n keylint "$keylint check --exit-zero --quiet --format json --output /dev/null '$code_tree'" \
  -n rg "rg -c -F -e sk- -e T3BlbkFJ -e Authorization -e OPENAI_API_KEY --hidden '$code_tree'" >&2
/usr/bin/time -v "$keylint" check --exit-zero --quiet --format json --output /dev/null "$code_tree" \
  2>"$bench_dir/time-code.txt" >/dev/null
peak_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$bench_dir/time-code.txt")
python3 - "$bench_dir/hyperfine-code.json" "$peak_kb" "$(du -sb "$code_tree" | cut -f1)" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
keylint = statistics.median(results["keylint"]["times"])
rg = statistics.median(results["rg"]["times"])
peak_mb = int(sys.argv[2]) / 1024
mb = int(sys.argv[3]) / 1e6
print(f"{'tool':<12}{'median s':>10}{'vs rg':>9}{'MB/s':>9}")
print(f"{'keylint':<12}{keylint:>10.2f}{keylint / rg:>8.2f}x{mb / keylint:>9.0f}")
print(f"{'rg':<12}{rg:>10.2f}{1:>8.2f}x{mb / rg:>9.0f}")
print()
print(f"keylint peak memory: {peak_mb:.1f} MB; target: at most 4x rg "
      f"({'met' if keylint <= 4 * rg else 'NOT met'}), peak memory under 100 MB "
      f"({'met' if peak_mb < 100 else 'NOT met'})")
PY
