#!/usr/bin/env bash
# Builds one libFuzzer target of FuzzTesting/ and runs it on a copy of its committed corpus.
#   scripts/fuzz.sh FuzzIngot|FuzzSafetensors|FuzzNpy|FuzzNpz|FuzzGGUF|FuzzPyTorch|FuzzTokenizer [SECONDS] [extra libFuzzer flags…]
# New inputs the fuzzer finds stay in /tmp/ingot-fuzz/<target>/corpus; crashes are written to /tmp/ingot-fuzz/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../FuzzTesting"
fuzzdir=$(pwd)
target=${1:?target}; seconds=${2:-300}; shift $(( $# >= 2 ? 2 : 1 ))
swift build -c release --target "$target" -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >/dev/null
objs=(.build/release/"$target".build/*.o .build/release/IngotFormat.build/*.o .build/release/CIngotKernels.build/*.o)
if [ "$target" = FuzzTokenizer ]; then objs+=(.build/release/IngotText.build/*.o)
elif [ "$target" != FuzzIngot ]; then objs+=(.build/release/IngotInterop.build/*.o .build/release/FuzzSupport.build/*.o); fi
work=/tmp/ingot-fuzz/$target
mkdir -p "$work/corpus"
swiftc -sanitize=fuzzer,address "${objs[@]}" -lzstd -lxxhash -lz -o "$work/fuzzer" 2>/dev/null
format=$(echo "${target#Fuzz}" | tr '[:upper:]' '[:lower:]')
cp -n Corpus/"$format"/* "$work/corpus/" 2>/dev/null || true
cd "$work"
dict=()
case "$target" in FuzzIngot|FuzzSafetensors) dict=(-dict="$fuzzdir/ingot.dict");; esac
./fuzzer corpus "${dict[@]}" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$@" 2>&1 | tail -12
