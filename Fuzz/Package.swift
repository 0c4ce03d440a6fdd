// swift-tools-version:6.1
// libFuzzer targets for NablaData's readers, kept out of the main package so the
// fuzzer flags never touch it. Build and run them with scripts/fuzz.sh; they need
// `-sanitize=fuzzer`, which links the libFuzzer runtime that each main.swift starts.
import PackageDescription

let package = Package(
    name: "NablaFuzz",
    dependencies: [
        // Named, because a path dependency's identity is otherwise the name of
        // the checkout's folder, which differs between clones.
        .package(name: "Nabla", path: ".."),
    ],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ] + ["FuzzIDX", "FuzzCSV", "FuzzPNG", "FuzzSafeTensors", "FuzzNumPy"].map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "Nabla", package: "Nabla"), .product(name: "NablaData", package: "Nabla")])
    } + [
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["FuzzSupport", .product(name: "Nabla", package: "Nabla"), .product(name: "NablaNN", package: "Nabla")]),
    ],
    swiftLanguageModes: [.v5]
)
