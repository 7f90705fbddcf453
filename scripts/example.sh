#!/usr/bin/env bash
# The main job on the example model bundled in fixtures/ (a tiny llama made by transformers, with GQA and llama3
# rope scaling): import → compress → inspect → check → quantize → verify on the built-in evaluation text and prompts
# (with an HTML report), ending with the verdict; generation from the quantized file; a q4_k_m GGUF with an importance
# matrix; the model cut into shards by two job-array parts; then a BERT encoder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product ingot
ingot=.build/release/ingot
model=fixtures/models/llama-gqa/safetensors
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== 1. the source: a Hugging Face directory ($model)"
$ingot inspect "$model"
echo
echo "== 2. import losslessly into Ingot, compressed (byte-grouped planes, rANS/zstd)"
$ingot convert "$model" -o "$out/model.ingot" --compress zstd
$ingot inspect "$out/model.ingot" | tail -4
$ingot check "$out/model.ingot"
echo
echo "== 3. back to safetensors: every tensor byte as transformers wrote it"
$ingot convert "$out/model.ingot" -o "$out/back.safetensors"
$ingot diff "$model" "$out/back.safetensors" | tail -1
echo
echo "== 4. quantize to q8_0 (embeddings and head too), per-tensor error"
$ingot convert "$out/model.ingot" -o "$out/q8.ingot" --quantize q8_0
echo
echo "== 5. verify: does the quantized file still compute what the original did? (built-in text and prompts)"
$ingot verify "$out/q8.ingot" --reference "$model" --stamp --report "$out/report.html"
echo "report: $(wc -c < "$out/report.html") bytes of self-contained HTML"
echo
echo "== 5b. generate from the quantized file (a tiny random-weight model: the words are noise, the mechanics are real)"
$ingot generate "$out/q8.ingot" --chat "What is the capital of France?" --max-tokens 16 --seed 1 --temperature 0.8
echo
echo "== 5c. llama.cpp's q4_k_m mix straight to GGUF, weighted by an importance matrix calibrated on the built-in text"
$ingot calibrate "$model" --text "$(dirname "$0")/../fixtures/eval/text.txt" --ctx 64 --chunks 8 -o "$out/model.imatrix"
$ingot convert "$model" -o "$out/q4km.gguf" --quantize q4_k_m --imatrix "$out/model.imatrix" | tail -2
$ingot inspect "$out/q4km.gguf" | tail -5
echo
echo "== 5d. the same model cut into shards by two parts of a job array (as on two machines), indexed, checked"
for k in 1 2; do $ingot convert "$model" -o "$out/shards/model.ingot" --max-shard-size 100kB --compress zstd --part $k/2 | tail -1; done
$ingot index "$out/shards"
$ingot check "$out/shards"
$ingot diff "$out/model.ingot" "$out/shards" | tail -1
echo
echo "== 6. an encoder (BERT, sentence-transformers layout): its own pooling, then q8_0 verified by embedding cosine"
bert=fixtures/models/bert/safetensors
$ingot embed "$bert" --tokens 2,108,78,109,59,6,3
$ingot convert "$bert" -o "$out/bert-q8.ingot" --quantize q8_0 | tail -1
$ingot verify "$out/bert-q8.ingot" --reference "$bert" | tail -1
