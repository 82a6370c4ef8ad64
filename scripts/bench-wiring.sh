#!/usr/bin/env bash
# Times the cross-file rules on a generated monorepo that is all wiring: SERVICES apps, each
# with FILES source files reading OPENAI_API_KEY, a compose service, a Kubernetes Deployment,
# env files and a workflow; prints keylint's median with and without the cross-file rules, run in
# alternation, and the median of their paired differences (what
# following keys across files costs), rg's for scale, and keylint's peak memory.
#
#   scripts/bench-wiring.sh                 defaults: SERVICES=200 FILES=50 RUNS=16 (10,000 files)
#   SERVICES=500 FILES=40 RUNS=5 scripts/bench-wiring.sh
set -euo pipefail
cd "$(dirname "$0")/.."

services="${SERVICES:-200}"
files="${FILES:-50}"
runs="${RUNS:-16}"
tree="$PWD/.bench/wiring-tree"
command -v rg >/dev/null && [ -x /usr/bin/time ] || {
  echo "installing ripgrep and time from Debian" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep time >/dev/null
}

rm -rf "$tree"
python3 - "$tree" "$services" "$files" <<'PY'
import os, sys
tree, services, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(f"{tree}/k8s", exist_ok=True)
os.makedirs(f"{tree}/.github/workflows", exist_ok=True)
compose = ["services:"]
for s in range(services):
    app = f"{tree}/apps/app{s}"
    os.makedirs(app, exist_ok=True)
    with open(f"{app}/Dockerfile", "w") as f:
        f.write("FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCMD [\"python\", \"main.py\"]\n")
    with open(f"{app}/main.py", "w") as f:
        f.write("".join(f"import module{i}\n" for i in range(files)))
    for i in range(files):
        with open(f"{app}/module{i}.py", "w") as f:
            f.write("import os\n\nfrom openai import OpenAI\n\n"
                    "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n"
                    + "".join(f"\ndef handler_{j}(text):\n    return client.responses.create("
                              f"model=\"gpt-4o-mini\", input=text)\n" for j in range(20)))
    with open(f"{tree}/apps/app{s}.env", "w") as f:
        f.write("LOG_LEVEL=info\nOPENAI_API_KEY=${OPENAI_API_KEY}\n")
    compose += [f"  app{s}:", f"    build: ./apps/app{s}", f"    image: ghcr.io/acme/app{s}:1",
                f"    env_file: apps/app{s}.env"]
    with open(f"{tree}/k8s/app{s}.yaml", "w") as f:
        f.write(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{s}\nspec:\n"
                f"  template:\n    spec:\n      containers:\n        - name: app{s}\n"
                f"          image: ghcr.io/acme/app{s}:1\n          env:\n"
                f"            - name: OPENAI_API_KEY\n              valueFrom:\n"
                f"                secretKeyRef:\n                  name: openai\n"
                f"                  key: api-key\n")
with open(f"{tree}/compose.yaml", "w") as f:
    f.write("\n".join(compose) + "\n")
with open(f"{tree}/.github/workflows/ci.yml", "w") as f:
    f.write("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n"
            "      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - run: pytest\n")
PY

echo "building keylint (release)" >&2
cargo build --release --quiet
keylint="$PWD/target/release/keylint"
count=$(find "$tree" -type f | wc -l)
echo "tree: generated monorepo, $services services, $count files ($(du -sh "$tree" | cut -f1))"
# The two keylint runs alternate, so a drift of this machine's speed hits both alike; the
# cost is the median of the paired differences, in wall time and in CPU time.
python3 - "$keylint" "$tree" "$runs" >"$PWD/.bench/wiring-runs.txt" <<'PY'
import resource, subprocess, sys, time
keylint, tree, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = [keylint, "check", "--exit-zero", "--quiet", "--format", "json", "--output", "/dev/null"]
commands = {"keylint": base + [tree],
            "per-file": base + ["--ignore", "KL301,KL302,KL304,KL305,KL307,KL310", tree],
            "rg": ["rg", "-c", "-F", "-e", "sk-", "-e", "T3BlbkFJ", "-e", "Authorization",
                   "-e", "OPENAI_API_KEY", tree]}
def timed(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu
for name in commands:  # warm-up
    timed(commands[name])
# The two keylint variants swap places every run: on this kind of machine the run that comes
# first in a pair is slower (by 0.17 s in an A/A test of one command against itself), which a
# fixed order would charge to one variant.
for run in range(runs):
    pair = ["keylint", "per-file"] if run % 2 == 0 else ["per-file", "keylint"]
    for name in pair + ["rg"]:
        wall, cpu = timed(commands[name])
        print(name, run, f"{wall:.4f}", f"{cpu:.4f}")
PY
/usr/bin/time -v "$keylint" check --exit-zero --quiet --format json --output /dev/null "$tree" \
  2>"$PWD/.bench/wiring-time.txt" >/dev/null
peak_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$PWD/.bench/wiring-time.txt")
findings=$("$keylint" check --exit-zero --quiet --format json "$tree" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["findings"])')
python3 - "$PWD/.bench/wiring-runs.txt" "$peak_kb" "$findings" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, run, wall, cpu = line.split()
    runs.setdefault(name, []).append((float(wall), float(cpu)))
def median(name, i):
    return statistics.median(r[i] for r in runs[name])
def differences(i):
    return sorted(a[i] - b[i] for a, b in zip(runs["keylint"], runs["per-file"]))
def paired(i):
    return statistics.median(differences(i))
def middle_half(i):
    quartiles = statistics.quantiles(differences(i), n=4)
    return f"{quartiles[0]:+.2f} to {quartiles[2]:+.2f} s"
keylint, per_file, rg = median("keylint", 0), median("per-file", 0), median("rg", 0)
print(f"keylint, every rule:           {keylint:.2f} s wall, {median('keylint', 1):.2f} s CPU")
print(f"keylint, no cross-file rules:  {per_file:.2f} s wall, {median('per-file', 1):.2f} s CPU")
print(f"the cross-file rules cost:     {paired(0):+.2f} s wall ({100 * paired(0) / per_file:+.0f}%), "
      f"{paired(1):+.2f} s CPU ({100 * paired(1) / median('per-file', 1):+.0f}%)  "
      f"(medians of {len(runs['keylint'])} paired runs)")
print(f"  middle half of the paired differences: {middle_half(0)} wall, {middle_half(1)} CPU")
print(f"rg, for scale:                 {rg:.2f} s")
print(f"peak memory {int(sys.argv[2]) / 1024:.1f} MB; findings: {sys.argv[3]} (expected 0)")
PY
