#!/usr/bin/env python3
"""Writes a code-heavy tree like the repositories keylint is for: apps that talk to AI providers.

    scripts/gen-code-tree.py OUT [MEGABYTES]      default 120 MB, seed 12

Each app has Python modules (an SDK client, header code, env reads, and mostly plain logic),
TypeScript (fetch calls with Authorization headers, React-like components, interfaces), tests
with mocks (respx, nock), a Dockerfile, a compose file, a Kubernetes Deployment and a CI
workflow. Keys are made-up placeholders, never real. The same arguments give the same bytes.
"""
import os
import random
import sys

out = sys.argv[1]
target = int(sys.argv[2] if len(sys.argv) > 2 else 120) * 1_000_000
rng = random.Random(12)
WORDS = ("order invoice user account report batch record item price total count queue "
         "message event window cache page query filter score token chunk prompt model").split()


def word():
    return rng.choice(WORDS)


def py_plain_function(i):
    a, b = word(), word()
    return (
        f"def {a}_{b}_{i}(items, limit=10):\n"
        f'    """Group the {a}s of each {b} and keep the largest `limit`."""\n'
        f"    groups = {{}}\n"
        f"    for item in items:\n"
        f"        key = (item.get('{a}'), item.get('{b}'))\n"
        f"        groups.setdefault(key, []).append(item)\n"
        f"    ranked = sorted(groups.items(), key=lambda kv: len(kv[1]), reverse=True)\n"
        f"    return [{{'{a}': k[0], '{b}': k[1], 'n': len(v)}} for k, v in ranked[:limit]]\n\n\n"
    )


def py_class(i):
    name = word().capitalize() + word().capitalize() + str(i)
    methods = "".join(
        f"    def {word()}_{j}(self, value):\n"
        f"        self.seen.append(value)\n"
        f"        return [v for v in self.seen if v != value][-{j + 1}:]\n\n"
        for j in range(rng.randint(3, 8))
    )
    return (f"class {name}:\n    \"\"\"Keeps what it saw.\"\"\"\n\n"
            f"    def __init__(self):\n        self.seen = []\n\n{methods}\n")


def py_ai_function(i):
    kind = rng.randrange(4)
    if kind == 0:
        return (f"def ask_{i}(prompt):\n"
                f"    client = OpenAI(api_key=os.environ['OPENAI_API_KEY'])\n"
                f"    return client.chat.completions.create(model='gpt-4o', messages=[{{'role': 'user', 'content': prompt}}])\n\n\n")
    if kind == 1:
        return (f"def headers_{i}():\n"
                f"    return {{'Authorization': f\"Bearer {{os.getenv('OPENAI_API_KEY')}}\", 'Content-Type': 'application/json'}}\n\n\n")
    if kind == 2:
        return (f"def models_{i}():\n"
                f"    response = requests.get('https://api.openai.com/v1/models', headers=headers_{i - 1}())\n"
                f"    response.raise_for_status()\n    return response.json()\n\n\n")
    return (f"def settings_{i}():\n"
            f"    return {{'timeout': int(os.environ.get('TIMEOUT', '30')), 'model': 'gpt-4o-mini'}}\n\n\n")


def python_module(size):
    parts = ["import os\n\nimport requests\nfrom openai import OpenAI\n\n\n"]
    i = 0
    while len(parts) < 2 or sum(map(len, parts)) < size:
        roll = rng.random()
        parts.append(py_ai_function(i) if roll < 0.06 else py_class(i) if roll < 0.3
                     else py_plain_function(i))
        i += 1
    return "".join(parts)


def python_test(size):
    parts = ["import respx\nimport httpx\nfrom openai import OpenAI\n\n\n"]
    i = 0
    while len(parts) < 2 or sum(map(len, parts)) < size:
        parts.append(
            f"@respx.mock\ndef test_{word()}_{i}():\n"
            f"    respx.get('https://api.openai.com/v1/models').mock(return_value=httpx.Response(200, json={{'data': []}}))\n"
            f"    client = OpenAI(api_key='sk-test-{i:04d}')\n"
            f"    assert client.models.list().data == []\n\n\n" if i % 5 == 0 else
            f"def test_{word()}_{i}():\n    rows = [{{'n': n}} for n in range({i % 7 + 2})]\n"
            f"    assert len(rows) == {i % 7 + 2}\n\n\n")
        i += 1
    return "".join(parts)


def ts_module(size):
    parts = ["import OpenAI from 'openai';\n\nconst BASE = 'https://api.openai.com/v1';\n\n"]
    i = 0
    while len(parts) < 2 or sum(map(len, parts)) < size:
        roll = rng.random()
        a, b = word(), word()
        if roll < 0.05:
            parts.append(
                f"export async function fetch{a.capitalize()}{i}(body: unknown) {{\n"
                f"  const res = await fetch(`${{BASE}}/chat/completions`, {{\n"
                f"    method: 'POST',\n"
                f"    headers: {{ Authorization: `Bearer ${{process.env.OPENAI_API_KEY}}`, 'Content-Type': 'application/json' }},\n"
                f"    body: JSON.stringify(body),\n  }});\n  return res.json();\n}}\n\n")
        elif roll < 0.35:
            fields = "".join(f"  {word()}{j}: {rng.choice(['string', 'number', 'boolean'])};\n"
                             for j in range(rng.randint(4, 12)))
            parts.append(f"export interface {a.capitalize()}{b.capitalize()}{i} {{\n{fields}}}\n\n")
        elif roll < 0.7:
            parts.append(
                f"export const {a}{b.capitalize()}{i} = (items: Array<{{ {a}: string; n: number }}>) => {{\n"
                f"  const totals = new Map<string, number>();\n"
                f"  for (const item of items) {{\n"
                f"    totals.set(item.{a}, (totals.get(item.{a}) ?? 0) + item.n);\n  }}\n"
                f"  return [...totals.entries()].sort((x, y) => y[1] - x[1]).slice(0, {i % 9 + 1});\n}};\n\n")
        else:
            parts.append(
                f"export class {a.capitalize()}{i} {{\n  private seen: string[] = [];\n\n"
                f"  add(value: string) {{\n    this.seen.push(value);\n    return this.seen.length;\n  }}\n\n"
                f"  last(n: number) {{\n    return this.seen.slice(-n).join(', ');\n  }}\n}}\n\n")
        i += 1
    return "".join(parts)


def ts_test(size):
    parts = ["import nock from 'nock';\nimport OpenAI from 'openai';\n\n"]
    i = 0
    while len(parts) < 2 or sum(map(len, parts)) < size:
        parts.append(
            f"describe('{word()} {i}', () => {{\n"
            f"  it('lists models', async () => {{\n"
            f"    nock('https://api.openai.com').get('/v1/models').reply(200, {{ data: [] }});\n"
            f"    const client = new OpenAI({{ apiKey: 'sk-test' }});\n"
            f"    expect((await client.models.list()).data).toEqual([]);\n  }});\n}});\n\n")
        i += 1
    return "".join(parts)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return len(text)


written = 0
app = 0
while written < target:
    root = f"{out}/app{app:04d}"
    for m in range(6):
        written += write(f"{root}/src/{word()}_{m}.py", python_module(rng.randint(8_000, 60_000)))
    for m in range(3):
        written += write(f"{root}/web/{word()}{m}.ts", ts_module(rng.randint(6_000, 40_000)))
    written += write(f"{root}/tests/test_api.py", python_test(rng.randint(5_000, 30_000)))
    written += write(f"{root}/web/api.test.ts", ts_test(rng.randint(3_000, 15_000)))
    written += write(f"{root}/Dockerfile",
                     "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
                     "RUN pip install -r requirements.txt\nCMD [\"python\", \"src/main.py\"]\n")
    written += write(f"{root}/docker-compose.yml",
                     f"services:\n  app{app}:\n    build: .\n    environment:\n"
                     f"      OPENAI_API_KEY: ${{OPENAI_API_KEY}}\n      TIMEOUT: \"30\"\n")
    written += write(f"{root}/k8s/deployment.yaml",
                     f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{app}\nspec:\n"
                     f"  template:\n    spec:\n      containers:\n        - name: app\n"
                     f"          image: example/app{app}\n          env:\n            - name: OPENAI_API_KEY\n"
                     f"              valueFrom:\n                secretKeyRef:\n                  name: openai\n"
                     f"                  key: api-key\n")
    written += write(f"{root}/.env.example", "OPENAI_API_KEY=sk-YOUR_API_KEY_HERE\nTIMEOUT=30\n")
    app += 1
os.makedirs(f"{out}/.github/workflows", exist_ok=True)
write(f"{out}/.github/workflows/ci.yml",
      "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n"
      "      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n    steps:\n"
      "      - uses: actions/checkout@v4\n      - run: pytest\n")
write(f"{out}/k8s/secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\nstringData:\n  api-key: placeholder\n")
print(f"{out}: {app} apps, {written / 1e6:.0f} MB")
