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
        // The command line's parser, for FuzzCommandLine (the version the main package resolves).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ] + ["FuzzIDX", "FuzzCSV", "FuzzPNG", "FuzzSafeTensors", "FuzzNumPy"].map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "Nabla", package: "Nabla"), .product(name: "NablaData", package: "Nabla")])
    } + [
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["FuzzSupport", .product(name: "Nabla", package: "Nabla"), .product(name: "NablaNN", package: "Nabla")]),
        // The `nabla` command's sources through the link Sources/FuzzCommandLine/nabla, all but its
        // @main, with the nabla target's dependencies (keep the two lists alike).
        .executableTarget(name: "FuzzCommandLine",
                          dependencies: ["FuzzSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
                              + ["Nabla", "NablaNN", "NablaData", "NablaPlot", "NablaDistributed", "NablaMachineLimits"]
                                  .map { .product(name: $0, package: "Nabla") },
                          exclude: ["nabla/NablaCommand.swift"]),
    ],
    swiftLanguageModes: [.v5]
)
