"""Builds ingot._ingot from the C kernels the Swift target CIngotKernels compiles (one C code base for both).

The kernel sources are taken by relative path from ../Sources/CIngotKernels, so the package must be built from
a checkout of the repository (`pip install ./python`; pip builds in tree). libzstd and libxxhash come from the
system (Debian: libzstd-dev libxxhash-dev, installed by scripts/setup.sh).
"""
import os
import shutil

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.join("..", "Sources", "CIngotKernels")
if not os.path.isdir(os.path.join(HERE, KERNELS)):
    raise SystemExit(f"ingot: the C kernels are not at {os.path.join(HERE, KERNELS)}: build from a checkout of the repository")

# The kernels are written for clang (the compiler Swift uses for them: vector extensions, `#pragma clang fp`, which
# keeps float results bit-identical to Swift's). The Swift toolchain ships clang; CC=... overrides.
if "CC" not in os.environ:
    clang = shutil.which("clang")
    if clang is None:
        raise SystemExit("ingot: building needs clang (it comes with the Swift toolchain, or `apt-get install clang`)")
    os.environ["CC"] = clang
    os.environ.setdefault("LDSHARED", clang + " -shared")

# The kernels this package calls (and what they call): rANS coder, byte planes, conversions, block codecs.
SOURCES = ["entropy.c", "planes.c", "convert.c", "quant.c", "kquants.c"]

setup(
    ext_modules=[
        Extension(
            "ingot._ingot",
            sources=["ingot/_ingot.c"] + [os.path.join(KERNELS, s) for s in SOURCES],
            include_dirs=[os.path.join(KERNELS, "include"), KERNELS],
            libraries=["zstd", "xxhash"],
            extra_compile_args=["-O3", "-std=gnu11", "-pthread"],
            extra_link_args=["-pthread"],
        )
    ],
)
