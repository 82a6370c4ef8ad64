#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the fixtures. Targets that pick a kind from their first
# byte get that byte before each file (the index into LINT_PATHS / YAML_KINDS in src/lib.rs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures"
corpus="$here/corpus"

# Writes <prefix bytes><file> to corpus/<target>/<name>.
put() {
    local target="$1" prefix="$2" file="$3" name
    name="$(echo "${file#"$fixtures"/}" | tr '/' '_')"
    mkdir -p "$corpus/$target"
    { printf "$prefix"; cat "$file"; } >"$corpus/$target/$name"
}

byte() { printf '\\x%02x' "$1"; }

count=0
while IFS= read -r -d '' file; do
    name="$(basename "$file")"
    lower="${name,,}"
    lint=19 # notes.txt
    case "$lower" in
        *.py | *.pyi | *.pyw) lint=0; put python "" "$file" ;;
        *.js | *.mjs | *.cjs | *.jsx) lint=1; put javascript "$(byte 0)" "$file" ;;
        *.tsx) lint=3; put javascript "$(byte 2)" "$file" ;;
        *.ts | *.mts | *.cts) lint=2; put javascript "$(byte 1)" "$file" ;;
        *.go) lint=4; put go "" "$file" ;;
        *.rs) lint=5; put rust "" "$file" ;;
        *.sh | *.bash | *.zsh) lint=6; put shell "" "$file" ;;
        *.ipynb) lint=7; put notebook "" "$file" ;;
        .env.example | .env.sample | .env.template | .env.dist | .env.defaults)
            lint=9; put env "" "$file" ;;
        .env | .env.* | *.env) lint=8; put env "" "$file" ;;
        dockerfile | dockerfile.* | *.dockerfile | containerfile)
            lint=10; put dockerfile "" "$file" ;;
        compose.yml | compose.yaml | docker-compose.yml | docker-compose.yaml | compose.*.y*ml | docker-compose.*.y*ml)
            lint=11; put yaml_model "$(byte 0)" "$file" ;;
        .gitlab-ci.y*ml) lint=13; put yaml_model "$(byte 3)" "$file" ;;
        kustomization.y*ml) lint=14; put yaml_model "$(byte 4)" "$file" ;;
        *.yml | *.yaml)
            if [[ "$file" == */.github/workflows/* ]]; then
                lint=12; put yaml_model "$(byte 2)" "$file"
            else
                lint=15; put yaml_model "$(byte 1)" "$file"
            fi ;;
        *.http | *.rest) lint=16; put http "" "$file" ;;
        *.md | *.markdown | *.mdx) lint=17 ;;
        *.json) lint=18 ;;
    esac
    put lint_bytes "$(byte "$lint")" "$file"
    # lint_bytes_secret: kind, key and delimiters, position (two bytes), then the file.
    size=$(wc -c <"$file")
    at=$(( (count * 7919) % (size + 1) ))
    put lint_bytes_secret "$(byte "$lint")$(byte $((count % 108)))$(byte $((at / 256 % 256)))$(byte $((at % 256)))" "$file"
    count=$((count + 1))
done < <(find "$fixtures" -type f -print0 | sort -z)

for dir in "$corpus"/*/; do
    echo "$(basename "$dir"): $(find "$dir" -type f | wc -l) seeds"
done
