// swift-tools-version:5.4
// libFuzzer targets for every Ingot reader and the chat-template interpreter. Kept in a nested package because `-sanitize=fuzzer` links only with
// a plain `.target` in a package of tools version ≤ 5.4. Build and run with scripts/fuzz.sh (see README.md).
import PackageDescription

let format = Target.Dependency.product(name: "IngotFormat", package: "Ingot")
let interop = Target.Dependency.product(name: "IngotInterop", package: "Ingot")
let families = Target.Dependency.product(name: "IngotFamilies", package: "Ingot")
let text = Target.Dependency.product(name: "IngotText", package: "Ingot")
let kit = Target.Dependency.product(name: "IngotKit", package: "Ingot")

let package = Package(
    name: "FuzzTesting",
    dependencies: [.package(name: "Ingot", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [format]),
        .target(name: "FuzzIngot", dependencies: [format]),
        .target(name: "FuzzSafetensors", dependencies: ["FuzzSupport", interop]),
        .target(name: "FuzzNpy", dependencies: ["FuzzSupport", interop]),
        .target(name: "FuzzNpz", dependencies: ["FuzzSupport", interop]),
        .target(name: "FuzzGGUF", dependencies: ["FuzzSupport", interop]),
        .target(name: "FuzzPyTorch", dependencies: ["FuzzSupport", interop]),
        // Model configs: config.json through every family, ingot.config through ModelConfig.
        .target(name: "FuzzHFConfig", dependencies: [format, families]),
        // Tensor tables built from a recipe (FuzzSupport.TableRecipe): 200k tensors, long names, lying counts.
        .target(name: "FuzzTensorTables", dependencies: ["FuzzSupport", format, interop, families]),
        .target(name: "FuzzTokenizer", dependencies: [text]),
        .target(name: "FuzzTemplate", dependencies: [format, text]),
        // verify --prompts files: text lines and JSON prompt/chat objects.
        .target(name: "FuzzPrompts", dependencies: [kit]),
        // Importance matrices: llama.cpp's legacy .dat layout and GGUF imatrix files.
        .target(name: "FuzzImatrix", dependencies: [format, interop]),
        // Sharded-model indexes and shard stamps.
        .target(name: "FuzzShardIndex", dependencies: [format]),
    ]
)
