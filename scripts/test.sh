#!/usr/bin/env bash
# The whole test suite, set-up included: installs the SARIF validators, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-tools.sh
cargo test --all-targets --locked "$@"
