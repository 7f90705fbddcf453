#!/usr/bin/env bash
# The main job on the bundled example model: convert → compress → inspect → check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product ingot
ingot=.build/release/ingot
model=fixtures/tiny-llama/model.safetensors
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== inspect the source ($model)"
$ingot inspect "$model"
echo
echo "== convert to Ingot, cast to bf16, compress with zstd (byte-grouped planes)"
$ingot convert "$model" -o "$out/model.ingot" --dtype bf16 --compress zstd
echo
echo "== inspect the result"
$ingot inspect "$out/model.ingot"
echo
echo "== check layout and every checksum"
$ingot check "$out/model.ingot"
echo
echo "== and back to safetensors, losslessly (f32 round trip)"
$ingot convert "$model" -o "$out/f32.ingot" --compress zstd
$ingot convert "$out/f32.ingot" -o "$out/back.safetensors"
$ingot check "$out/back.safetensors"
cmp "$model" "$out/back.safetensors" && echo "back.safetensors is byte-identical to $model"
