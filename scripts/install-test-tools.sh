#!/usr/bin/env bash
# Installs the SARIF validators the test suite runs (the official SARIF 2.1.0 JSON schema from
# @microsoft/jest-sarif, ajv, and Microsoft's SARIF multitool) from npm into .tools/sarif.
# Does nothing when the installed lock file already matches tests/sarif/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=.tools/sarif
if cmp -s tests/sarif/package-lock.json "$dest/package-lock.json" &&
  [ -x "$dest/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  exit 0
fi
command -v npm >/dev/null || {
  echo "scripts/install-test-tools.sh: npm is needed to install the SARIF validators" >&2
  exit 1
}
echo "installing SARIF validators into $dest" >&2
rm -rf "$dest"
mkdir -p "$dest"
cp tests/sarif/package.json tests/sarif/package-lock.json "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
# npm may skip the package's own postinstall step that marks the binary executable.
chmod +x "$dest/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
