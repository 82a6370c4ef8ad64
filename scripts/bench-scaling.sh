#!/usr/bin/env bash
# Does keylint's time grow linearly with a file's size? For each language it parses, generates a
# realistic file of about 50 KB that uses an AI provider (SDK clients, headers, env reads), and
# times `keylint check` on one file holding 1, 2, 4, 8 and 16 copies of it (16 copies stay under
# the 1 MB above which files are not parsed). Prints wall time, CPU time (user + system) and peak
# RSS per step (the run with the least CPU time of RUNS runs), the instructions retired (with
# perf, when it can count them), and each step's ratio to the previous one. The ratio of
# instructions (of CPU time without perf), which a busy machine does not skew, must stay within
# 2.2 for a doubling.
#
#   scripts/bench-scaling.sh           RUNS=5 by default
#   KEYLINT=path/to/keylint scripts/bench-scaling.sh    skips the release build
#   INSTRUCTIONS=valgrind scripts/bench-scaling.sh      counts instructions with callgrind where
#                                                       perf cannot (slow, but load-independent)
#
# A benchmark, not a test: it exits 1 when a ratio is over 2.2 and prints which.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

runs="${RUNS:-5}"
limit=2.2
if [ -z "${KEYLINT:-}" ]; then
  echo "building keylint (release)" >&2
  cargo build --release --quiet
  KEYLINT="$PWD/target/release/keylint"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Writes $work/<language>/<copies>x/<file> for every language and step.
python3 - "$work" <<'PY'
import json, os, sys

work = sys.argv[1]
BASE = 50_000

def rust(i):
    return f'''
use std::env;

pub struct Assistant{i} {{
    client: reqwest::Client,
    model: String,
    base: String,
}}

impl Assistant{i} {{
    pub fn new(model: &str) -> Self {{
        let base = env::var("OPENAI_BASE_URL").unwrap_or_else(|_| "https://api.openai.com/v1".to_string());
        Assistant{i} {{ client: reqwest::Client::new(), model: model.to_string(), base }}
    }}

    pub async fn ask(&self, prompt: &str) -> Result<String, reqwest::Error> {{
        let key = env::var("OPENAI_API_KEY").expect("OPENAI_API_KEY is set");
        let body = serde_json::json!({{"model": self.model, "messages": [{{"role": "user", "content": prompt}}]}});
        let response = self
            .client
            .post(format!("{{}}/chat/completions", self.base))
            .bearer_auth(&key)
            .header("Content-Type", "application/json")
            .json(&body)
            .send()
            .await?;
        log::info!("request {i} answered with {{}}", response.status());
        let value: serde_json::Value = response.json().await?;
        Ok(value["choices"][0]["message"]["content"].as_str().unwrap_or_default().to_string())
    }}
}}
'''

def python(i):
    return f'''
import logging
import os

import requests
from openai import OpenAI

log = logging.getLogger(__name__)
API_URL_{i} = "https://api.openai.com/v1/chat/completions"


def ask_{i}(prompt, model="gpt-4o-mini"):
    key = os.environ.get("OPENAI_API_KEY", "")
    headers = {{"Authorization": f"Bearer {{key}}", "Content-Type": "application/json"}}
    body = {{"model": model, "messages": [{{"role": "user", "content": prompt}}]}}
    response = requests.post(API_URL_{i}, headers=headers, json=body, timeout=30)
    if response.status_code != 200:
        log.warning("request %s failed: %s", {i}, response.text)
        return None
    return response.json()["choices"][0]["message"]["content"]


class Assistant{i}:
    def __init__(self, model="gpt-4o"):
        self.client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
        self.model = model
        self.history = []

    def chat(self, text):
        self.history.append({{"role": "user", "content": text}})
        reply = self.client.chat.completions.create(model=self.model, messages=self.history)
        content = reply.choices[0].message.content
        self.history.append({{"role": "assistant", "content": content}})
        return content
'''

def javascript(i, typed=False):
    t = (lambda s: s) if typed else (lambda s: "")
    return f'''
import OpenAI from "openai";

const client{i} = new OpenAI({{ apiKey: process.env.OPENAI_API_KEY }});
const API_URL_{i} = "https://api.openai.com/v1/chat/completions";

export async function ask{i}(prompt{t(": string")}, model{t(": string")} = "gpt-4o-mini"){t(": Promise<string>")} {{
  const key = process.env.OPENAI_API_KEY ?? "";
  const response = await fetch(API_URL_{i}, {{
    method: "POST",
    headers: {{ Authorization: `Bearer ${{key}}`, "Content-Type": "application/json" }},
    body: JSON.stringify({{ model, messages: [{{ role: "user", content: prompt }}] }}),
  }});
  if (!response.ok) {{
    console.warn(`request {i} failed: ${{response.status}}`);
    return "";
  }}
  const data = await response.json();
  return data.choices[0].message.content;
}}

export async function chat{i}(text{t(": string")}) {{
  const reply = await client{i}.chat.completions.create({{
    model: "gpt-4o",
    messages: [{{ role: "user", content: text }}],
  }});
  return reply.choices[0].message.content;
}}
'''

def go(i):
    return f'''
type Assistant{i} struct {{
	client *http.Client
	model  string
}}

func (a *Assistant{i}) Ask(prompt string) (string, error) {{
	key := os.Getenv("OPENAI_API_KEY")
	body, _ := json.Marshal(map[string]any{{"model": a.model, "messages": []map[string]string{{{{"role": "user", "content": prompt}}}}}})
	req, err := http.NewRequest("POST", "https://api.openai.com/v1/chat/completions", bytes.NewReader(body))
	if err != nil {{
		return "", err
	}}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {{
		log.Printf("request {i} failed: %v", err)
		return "", err
	}}
	defer resp.Body.Close()
	var out struct {{
		Choices []struct {{
			Message struct {{
				Content string `json:"content"`
			}} `json:"message"`
		}} `json:"choices"`
	}}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {{
		return "", err
	}}
	return out.Choices[0].Message.Content, nil
}}
'''

def shell(i):
    return f'''
ask_{i}() {{
  local prompt="$1"
  if [ -z "${{OPENAI_API_KEY:-}}" ]; then
    echo "OPENAI_API_KEY is not set" >&2
    return 1
  fi
  curl -sS https://api.openai.com/v1/chat/completions \\
    -H "Authorization: Bearer $OPENAI_API_KEY" \\
    -H "Content-Type: application/json" \\
    -d "{{\\"model\\": \\"gpt-4o-mini\\", \\"messages\\": [{{\\"role\\": \\"user\\", \\"content\\": \\"$prompt\\"}}]}}" \\
    | jq -r '.choices[0].message.content'
}}
for file in ./prompts/{i}/*.txt; do
  answer=$(ask_{i} "$(cat "$file")") || continue
  printf '%s\\n' "$answer" > "${{file%.txt}}.answer"
done
'''

def dockerfile(i):
    return f'''
FROM python:3.12-slim AS build{i}
WORKDIR /app
ARG OPENAI_BASE_URL=https://api.openai.com/v1
ENV OPENAI_BASE_URL=$OPENAI_BASE_URL PIP_NO_CACHE_DIR=1
COPY requirements.txt .
RUN pip install -r requirements.txt && \\
    python -c "import openai; print(openai.__version__)" && \\
    if [ -n "$OPENAI_API_KEY" ]; then echo "key set at build"; fi
RUN curl -sS -o /dev/null -w "%{{http_code}}" https://api.openai.com/v1/models \\
      -H "Authorization: Bearer $OPENAI_API_KEY" || true
COPY . .
RUN useradd -m app{i} && chown -R app{i} /app
'''

def workflow_jobs(i):
    return f'''
  test{i}:
    runs-on: ubuntu-latest
    env:
      OPENAI_API_KEY: ${{{{ secrets.OPENAI_API_KEY }}}}
      OPENAI_BASE_URL: https://api.openai.com/v1
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: |
          pip install -r requirements.txt
          if [ -z "$OPENAI_API_KEY" ]; then echo "no key" >&2; exit 1; fi
          curl -sS https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY" -o models.json
          python -m pytest tests/{i} -q
      - name: smoke
        run: python scripts/smoke.py --model gpt-4o-mini --case {i}
'''

def compose_services(i):
    return f'''
  api{i}:
    build: ./api
    image: example/api{i}:latest
    environment:
      OPENAI_API_KEY: ${{OPENAI_API_KEY}}
      OPENAI_BASE_URL: https://api.openai.com/v1
      LOG_LEVEL: info
    env_file:
      - .env
    ports:
      - "{8000 + i % 1000}:8000"
    depends_on:
      - cache{i}
    command: ["python", "-m", "api", "--workers", "2"]
  cache{i}:
    image: redis:7
    volumes:
      - cache{i}:/data
'''

def kubernetes(i):
    return f'''---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: assistant{i}
  labels:
    app: assistant{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: assistant{i}
  template:
    metadata:
      labels:
        app: assistant{i}
    spec:
      containers:
        - name: assistant
          image: example/assistant:{i}
          env:
            - name: OPENAI_API_KEY
              valueFrom:
                secretKeyRef:
                  name: openai{i}
                  key: api-key
            - name: OPENAI_BASE_URL
              value: https://api.openai.com/v1
          ports:
            - containerPort: 8000
          resources:
            limits:
              memory: 512Mi
'''

def notebook_cells(i):
    return [
        {"cell_type": "markdown", "metadata": {}, "source": [f"## Experiment {i}\n", "Ask the model.\n"]},
        {"cell_type": "code", "execution_count": i, "metadata": {}, "outputs": [],
         "source": python(i).splitlines(keepends=True)},
    ]

# (language, file name, header, block(i), footer): a file is the header, blocks, the footer.
LANGUAGES = [
    ("rust", "src/lib.rs", "", rust, ""),
    ("python", "app.py", "", python, ""),
    ("javascript", "app.js", "", javascript, ""),
    ("typescript", "app.ts", "", lambda i: javascript(i, True), ""),
    ("go", "main.go", 'package main\n\nimport (\n\t"bytes"\n\t"encoding/json"\n\t"log"\n\t"net/http"\n\t"os"\n)\n', go, ""),
    ("shell", "ask.sh", "#!/usr/bin/env bash\nset -euo pipefail\n", shell, ""),
    ("dockerfile", "Dockerfile", "# syntax=docker/dockerfile:1\n", dockerfile, ""),
    ("workflow", ".github/workflows/ci.yml", "name: ci\non: [push, pull_request]\njobs:", workflow_jobs, ""),
    ("compose", "docker-compose.yml", "services:", compose_services, "volumes:\n  data: {}\n"),
    ("kubernetes", "k8s/deploy.yaml", "", kubernetes, ""),
]

def blocks_for(block):
    count, size = 0, 0
    while size < BASE:
        size += len(block(count))
        count += 1
    return count

for name, path, header, block, footer in LANGUAGES:
    per_copy = blocks_for(block)
    for copies in (1, 2, 4, 8, 16):
        text = header + "".join(block(i) for i in range(per_copy * copies)) + footer
        full = os.path.join(work, name, f"{copies}x", path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        open(full, "w").write(text)

per_copy = blocks_for(lambda i: json.dumps(notebook_cells(i)))
for copies in (1, 2, 4, 8, 16):
    cells = [cell for i in range(per_copy * copies) for cell in notebook_cells(i)]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                "nbformat_minor": 5}
    full = os.path.join(work, "notebook", f"{copies}x", "analysis.ipynb")
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w").write(json.dumps(notebook, indent=1))
PY

# The run with the least CPU of $runs (wait4's rusage), then one under perf:
# "wall_s cpu_s peak_kb instructions".
measure() {
  python3 - "$runs" "$KEYLINT" "$1" <<'PY'
import os, subprocess, sys, tempfile, time
runs, keylint, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]
command = [keylint, "check", "--exit-zero", "--quiet", "--no-ignore", "--max-file-size",
           "100000000", "--format", "json", "--output", os.devnull, target]
best = None
for _ in range(runs):
    # /usr/bin/time reports keylint's peak RSS (a child forked from Python would count
    # Python's); wait4 gives the CPU time of both, to the microsecond.
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name] + command,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        rss = int(peak.read().split()[-1])
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"keylint failed on {target}: {status}")
    cpu = usage.ru_utime + usage.ru_stime
    if best is None or cpu < best[1]:
        best = (wall, cpu, rss)
# Instructions retired do not depend on what else the machine runs: "-" without perf.
instructions = "-"
with tempfile.NamedTemporaryFile("r") as counts:
    perf = ["perf", "stat", "-x", ",", "-e", "instructions:u", "-o", counts.name, "--"]
    try:
        subprocess.run(perf + command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        for line in counts.read().splitlines():
            if "instructions" in line and line.split(",")[0].isdigit():
                instructions = line.split(",")[0]
    except (OSError, subprocess.CalledProcessError):
        pass
# Without hardware counters (most VMs), valgrind counts the same instructions, slowly.
if instructions == "-" and os.environ.get("INSTRUCTIONS") == "valgrind":
    with tempfile.NamedTemporaryFile("r") as out:
        grind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"]
        done = subprocess.run(grind + command + ["--threads", "1"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        for line in done.stderr.splitlines():
            if "Collected :" in line:
                instructions = line.split(":")[-1].strip()
print(f"{best[0]:.3f} {best[1]:.3f} {best[2]} {instructions}")
PY
}

echo "keylint $("$KEYLINT" --version | cut -d' ' -f2), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), least CPU of $runs runs"
printf '%-11s %6s %7s %7s %6s %7s %6s %7s %6s %7s\n' language copies kb wall_s ratio cpu_s ratio Minstr ratio rss_mb
over=()
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0.0005 ? b : 0.0005) }'; }
for language_dir in "$work"/*/; do
  language="$(basename "$language_dir")"
  previous=""
  for copies in 1 2 4 8 16; do
    dir="$language_dir${copies}x"
    bytes=$(find "$dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    read -r wall cpu rss instructions <<<"$(measure "$dir")"
    minstr=$([ "$instructions" = - ] && echo - || awk -v i="$instructions" 'BEGIN { printf "%.0f", i / 1e6 }')
    wall_ratio="-" cpu_ratio="-" instr_ratio="-"
    if [ -n "$previous" ]; then
      read -r previous_wall previous_cpu previous_instr <<<"$previous"
      wall_ratio=$(ratio "$wall" "$previous_wall")
      cpu_ratio=$(ratio "$cpu" "$previous_cpu")
      # Judged on instructions when perf counts them, on CPU time otherwise.
      judged="$cpu_ratio"
      if [ "$instructions" != - ] && [ "$previous_instr" != - ]; then
        instr_ratio=$(ratio "$instructions" "$previous_instr")
        judged="$instr_ratio"
      fi
      if awk -v r="$judged" -v l="$limit" 'BEGIN { exit !(r > l) }'; then
        over+=("$language ${copies}x: ratio $judged")
      fi
    fi
    printf '%-11s %6s %7s %7s %6s %7s %6s %7s %6s %7s\n' "$language" "${copies}x" \
      "$((bytes / 1000))" "$wall" "$wall_ratio" "$cpu" "$cpu_ratio" "$minstr" "$instr_ratio" \
      "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
    previous="$wall $cpu $instructions"
  done
done
if [ ${#over[@]} -gt 0 ]; then
  echo "over $limit:"
  printf '  %s\n' "${over[@]}"
  exit 1
fi
