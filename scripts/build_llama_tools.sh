#!/usr/bin/env bash
# Build llama.cpp's command-line tools (llama-quantize, llama-imatrix, llama-perplexity)
# from the llama.cpp copy vendored in the llama-cpp-python sdist. These are the real
# producers the project's K-quant recipe and importance-matrix fixtures are checked against.
#
# Usage: scripts/build_llama_tools.sh [--avx2] [--no-perplexity] [OUT_DIR]
#   OUT_DIR defaults to $HOME/.cache/ingot/llama-tools. With --avx2 the build goes to
#   OUT_DIR-avx2 and targets AVX2/FMA/F16C without AVX-512 (a portable flavour);
#   otherwise -DGGML_NATIVE=ON. Idempotent: the sdist is downloaded once and a finished
#   build is reused (cmake only rebuilds what changed).
# Environment: PIP (default /work/venv/bin/pip, else pip3), JOBS (default 2),
#   LLAMA_CPP_PYTHON_VERSION (default 0.3.36).
set -euo pipefail

flavour=native
build_perplexity=1
out=""
for arg in "$@"; do
  case "$arg" in
    --avx2) flavour=avx2 ;;
    --no-perplexity) build_perplexity=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "unknown flag: $arg" >&2; exit 2 ;;
    *) out="$arg" ;;
  esac
done
out="${out:-$HOME/.cache/ingot/llama-tools}"
[ "$flavour" = avx2 ] && out="${out%/}-avx2"

version="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
jobs="${JOBS:-2}"
if [ -z "${PIP:-}" ]; then
  if [ -x /work/venv/bin/pip ]; then PIP=/work/venv/bin/pip; else PIP=pip3; fi
fi
command -v cmake >/dev/null || { echo "cmake not found (apt-get install cmake)" >&2; exit 1; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
srcroot="$out/src"
sdist="$srcroot/llama_cpp_python-$version.tar.gz"
srcdir="$srcroot/llama_cpp_python-$version/vendor/llama.cpp"
mkdir -p "$srcroot"

if [ ! -f "$sdist" ]; then
  # A cached copy elsewhere saves a slow download (pip prepares the sdist's build backend).
  for cand in "${out%-avx2}/src/llama_cpp_python-$version.tar.gz" \
              "$out-avx2/src/llama_cpp_python-$version.tar.gz" \
              "/tmp/llsrc/llama_cpp_python-$version.tar.gz"; do
    [ -f "$cand" ] && cp "$cand" "$sdist" && break
  done
fi
if [ ! -f "$sdist" ]; then
  "$PIP" download --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$srcroot"
fi
if [ ! -f "$srcdir/CMakeLists.txt" ]; then
  tar -xzf "$sdist" -C "$srcroot"
fi

if [ "$flavour" = avx2 ]; then
  cpu_flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF)
else
  cpu_flags=(-DGGML_NATIVE=ON)
fi

builddir="$out/build"
cmake -S "$srcdir" -B "$builddir" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DGGML_OPENMP=ON \
  "${cpu_flags[@]}" >"$out/cmake-configure.log"

targets=(llama-quantize llama-imatrix)
[ "$build_perplexity" = 1 ] && targets+=(llama-perplexity)
cmake --build "$builddir" --config Release -j "$jobs" --target "${targets[@]}"

mkdir -p "$out/bin"
for t in "${targets[@]}"; do
  cp -f "$builddir/bin/$t" "$out/bin/$t"
done
echo "llama.cpp tools ($flavour, llama-cpp-python $version):"
for t in "${targets[@]}"; do echo "  $out/bin/$t"; done
