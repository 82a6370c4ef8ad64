#!/usr/bin/env bash
# Replays the saved reproducers of fuzz/regressions/<target>/ through their targets (no
# fuzzing, each within 10 s and 2 GiB): every one must pass once its bug is fixed.
#
#   fuzz/regress.sh [TARGET...]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in regressions/*/; do targets+=("$(basename "$dir")"); done
fi
failed=0
for target in "${targets[@]}"; do
    for file in "regressions/$target"/*; do
        [ -f "$file" ] || continue
        if cargo +nightly fuzz run "$target" "$file" -- -runs=1 -timeout=10 -rss_limit_mb=2048 >/dev/null 2>&1; then
            echo "pass  $file"
        else
            echo "FAIL  $file"
            failed=1
        fi
    done
done
exit "$failed"
