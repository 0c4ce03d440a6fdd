// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Nabla",
    products: [
        .library(name: "Nabla", targets: ["Nabla"]),
        .library(name: "NablaNN", targets: ["NablaNN"]),
        .library(name: "NablaData", targets: ["NablaData"]),
        .executable(name: "nabla", targets: ["nabla"]),
    ],
    dependencies: [
        // Only the command-line tool uses it; the libraries have no package dependencies.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "Nabla", dependencies: ["COpenBLAS", "CLAPACKE"]),
        .target(name: "NablaData", dependencies: ["Nabla", "CPNG", "CZlib"]),
        .target(name: "NablaNN", dependencies: ["Nabla", "NablaData"]),
        .executableTarget(
            name: "nabla",
            dependencies: [
                "Nabla", "NablaNN", "NablaData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NablaTests", dependencies: ["Nabla"]),
        .testTarget(name: "NablaDataTests", dependencies: ["NablaData"]),
        .testTarget(name: "NablaNNTests", dependencies: ["NablaNN", "NablaData"]),
        // Every op against PyTorch in float64 (torch_oracle.py, run in the torch venv that setup installs).
        .testTarget(name: "NablaDifferentialTests", dependencies: ["Nabla", "NablaNN"], exclude: ["torch_oracle.py"]),
        // Runs the built `nabla` executable as a separate process.
        .testTarget(name: "nablaTests", dependencies: ["nabla"]),
    ],
    swiftLanguageModes: [.v5]
)
