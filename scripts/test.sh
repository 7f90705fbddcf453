#!/usr/bin/env bash
# Runs the test suite (debug build) after installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
