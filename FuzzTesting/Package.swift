// swift-tools-version:5.4
// libFuzzer targets for every Ingot reader. Kept in a nested package because `-sanitize=fuzzer` links only with
// a plain `.target` in a package of tools version ≤ 5.4. Build and run: see FuzzTesting/README.md.
import PackageDescription

let package = Package(
    name: "FuzzTesting",
    dependencies: [.package(name: "Ingot", path: "..")],
    targets: [
        .target(name: "FuzzIngot", dependencies: [.product(name: "IngotFormat", package: "Ingot")]),
    ]
)
