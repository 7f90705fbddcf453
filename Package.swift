// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ingot",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "IngotFormat", targets: ["IngotFormat"]),
        .library(name: "IngotInterop", targets: ["IngotInterop"]),
        .library(name: "IngotQuant", targets: ["IngotQuant"]),
        .library(name: "IngotFamilies", targets: ["IngotFamilies"]),
        .library(name: "IngotModel", targets: ["IngotModel"]),
        .library(name: "IngotKit", targets: ["IngotKit"]),
        .library(name: "IngotText", targets: ["IngotText"]),
        .executable(name: "ingot", targets: ["ingot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a modulemap + one-line header each, imported with `internal import`
        // so that no C type leaks into Ingot's public API.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Hot loops in C: F16C half conversion with runtime dispatch, bf16 rounding, byte planes, entropy coding.
        .target(name: "CIngotKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "IngotFormat", dependencies: ["CZstd", "CXXHash", "CIngotKernels"]),
        // Model families: typed canonical config, names, Hugging Face and GGUF mappings; one file per family.
        .target(name: "IngotFamilies", dependencies: ["IngotFormat"]),
        .target(name: "IngotInterop", dependencies: ["IngotFormat", "IngotFamilies", "CZlib", "CIngotKernels"]),
        .target(name: "IngotQuant", dependencies: ["IngotFormat", "IngotFamilies", "CIngotKernels"]),
        .target(name: "IngotModel", dependencies: ["IngotFormat", "IngotFamilies", "COpenBLAS", "CIngotKernels"]),
        .target(name: "IngotVerify", dependencies: ["IngotFormat", "IngotModel"]),
        // Text: tokenizers and chat templates (no dependency on the model code).
        .target(name: "IngotText", dependencies: ["IngotFormat"]),
        // The pipelines (convert, verify, diff, check, inspect, logits) as a Swift API; the CLI parses and renders.
        .target(name: "IngotKit", dependencies: ["IngotFormat", "IngotFamilies", "IngotInterop", "IngotQuant", "IngotModel", "IngotVerify", "IngotText"]),
        .executableTarget(
            name: "ingot",
            dependencies: [
                "IngotKit", "IngotFormat", "IngotFamilies", "IngotQuant", "IngotModel", "IngotVerify", "IngotText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // In-process timings for the benchmark scripts; not installed for users.
        .executableTarget(name: "ingot-bench", dependencies: ["IngotKit", "IngotFormat", "IngotFamilies", "IngotInterop", "IngotModel"]),
        // Runs IngotText tokenizers for scripts/check_tokenizers_real.py and scripts/bench_tokenizers.py; not installed.
        .executableTarget(name: "ingot-text-check", dependencies: ["IngotText", "IngotFormat"]),
        // Renders a chat template with a JSON context, for scripts/check_templates_real.py; not installed.
        .executableTarget(name: "ingot-template-check", dependencies: ["IngotText", "IngotFormat"]),
        .testTarget(name: "IngotFormatTests", dependencies: ["IngotFormat", "CIngotKernels", "CZstd", "CXXHash"]),
        .testTarget(name: "IngotInteropTests", dependencies: ["IngotInterop", "IngotFormat", "IngotFamilies"]),
        .testTarget(name: "IngotQuantTests", dependencies: ["IngotQuant", "IngotFormat", "IngotFamilies", "CIngotKernels"]),
        // Runs the built `ingot` binary end to end (exit codes, error lines, files left behind).
        .testTarget(name: "IngotCLITests", dependencies: ["ingot"]),
        .testTarget(name: "IngotModelTests", dependencies: ["IngotModel", "IngotFormat", "IngotInterop", "IngotFamilies", "IngotQuant"]),
        .testTarget(name: "IngotVerifyTests", dependencies: ["IngotVerify", "IngotModel", "IngotFormat", "IngotFamilies"]),
        .testTarget(name: "IngotTextTests", dependencies: ["IngotText", "IngotFormat"]),
        .testTarget(name: "IngotKitTests", dependencies: ["IngotKit", "IngotFormat", "IngotFamilies", "IngotInterop", "IngotQuant", "IngotVerify", "IngotText"]),
    ],
    swiftLanguageModes: [.v6]
)
