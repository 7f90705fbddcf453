#!/usr/bin/env bash
# Builds one libFuzzer target of FuzzTesting/ and runs it on a copy of its committed corpus.
#   scripts/fuzz.sh FuzzIngot|FuzzSafetensors|FuzzNpy|FuzzNpz|FuzzGGUF|FuzzPyTorch|FuzzHFConfig|FuzzTensorTables|FuzzTokenizer|FuzzTemplate|FuzzPrompts|FuzzImatrix|FuzzShardIndex \
#       [SECONDS] [extra libFuzzer flags…]
# New inputs the fuzzer finds stay in /tmp/ingot-fuzz/<target>/corpus; crashes are written to /tmp/ingot-fuzz/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../FuzzTesting"
fuzzdir=$(pwd)
target=${1:?target}; seconds=${2:-300}; shift $(( $# >= 2 ? 2 : 1 ))
swift build -c release --target "$target" -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >/dev/null

# What to link: the objects of the target and of every target it depends on, transitively (FuzzSupport, the Ingot
# modules through their products, their C targets), and the libraries the system-library targets name in their
# module maps. Derived from `swift package describe`, so a new module (IngotFamilies) or C target needs no edit here.
mapfile -t link < <(python3 - "$target" <<'PY'
import json, os, re, subprocess, sys

def describe(d):
    out = subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=d, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out[out.index("{"):])

fuzz, root = describe("."), describe("..")
fuzz_targets = {t["name"]: t for t in fuzz["targets"]}
root_targets = {t["name"]: t for t in root["targets"]}
products = {p["name"]: p["targets"] for p in root["products"]}
modules, libs, seen = [], [], set()

def visit(name, table, base):
    if (base, name) in seen:
        return
    seen.add((base, name))
    t = table[name]
    if t.get("type") == "system-target":
        modulemap = os.path.join(base, t["path"], "module.modulemap")
        libs.extend(re.findall(r'link\s+"([^"]+)"', open(modulemap).read()))
    else:
        modules.append(name)
    for d in t.get("target_dependencies") or []:
        visit(d, table, base)
    for p in t.get("product_dependencies") or []:
        for r in products[p]:
            visit(r, root_targets, "..")

visit(sys.argv[1], fuzz_targets, ".")
for m in modules:
    print("module " + m)
for l in dict.fromkeys(libs):
    print("lib " + l)
PY
)
objs=(); libs=()
for line in "${link[@]}"; do
    case "$line" in
        module\ *) m=${line#module }; for o in .build/release/"$m".build/*.o; do [ -e "$o" ] && objs+=("$o"); done ;;
        lib\ *) libs+=("-l${line#lib }") ;;
    esac
done
work=/tmp/ingot-fuzz/$target
mkdir -p "$work/corpus"
# The linker warns about every ASan local symbol; show its output only when the link fails.
if ! swiftc -sanitize=fuzzer,address "${objs[@]}" "${libs[@]}" -o "$work/fuzzer" 2>"$work/link.log"; then
    cat "$work/link.log" >&2; exit 1
fi
format=$(echo "${target#Fuzz}" | tr '[:upper:]' '[:lower:]')
cp -n Corpus/"$format"/* "$work/corpus/" 2>/dev/null || true
cd "$work"
dict=()
case "$target" in FuzzIngot|FuzzSafetensors) dict=(-dict="$fuzzdir/ingot.dict");; esac
[ -f "$fuzzdir/$format.dict" ] && dict=(-dict="$fuzzdir/$format.dict")
# FuzzTensorTables builds tables of up to 200,000 tensors: opening one takes ~10 s under ASan (linear, ~50 µs a tensor).
timeout=10
[ "$target" = FuzzTensorTables ] && timeout=60
./fuzzer corpus "${dict[@]}" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout="$timeout" -print_final_stats=1 "$@" 2>&1 | tail -12
