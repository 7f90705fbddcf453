#!/usr/bin/env bash
# Runs the test suite (debug build) after installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build

# The Python package (python/): a venv under .build with numpy + pytest + the package built from this checkout,
# then pytest against the debug CLI just built. Tests needing torch/transformers skip when they are not installed.
PYVENV=.build/pyvenv
[ -x "$PYVENV/bin/python" ] || python3 -m venv "$PYVENV"
"$PYVENV/bin/pip" install -q --disable-pip-version-check numpy pytest ./python
INGOT="$PWD/.build/debug/ingot" "$PYVENV/bin/python" -m pytest -q -p no:cacheprovider python/tests
