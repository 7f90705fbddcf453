#!/usr/bin/env bash
# Installs what Ingot needs on a fresh Debian machine (when missing). Idempotent.
set -euo pipefail
need=()
for pkg in libzstd-dev libopenblas-dev libxxhash-dev zlib1g-dev python3-dev python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
