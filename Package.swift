// swift-tools-version:6.1
import PackageDescription

/// The libraries and the tools build in the Swift 6 language mode (complete concurrency
/// checking); the test targets stay in Swift 5 mode, as XCTest's closures capture freely.
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Nabla",
    products: [
        .library(name: "Nabla", targets: ["Nabla"]),
        .library(name: "NablaNN", targets: ["NablaNN"]),
        .library(name: "NablaData", targets: ["NablaData"]),
        .library(name: "NablaPlot", targets: ["NablaPlot"]),
        .library(name: "NablaDistributed", targets: ["NablaDistributed"]),
        .executable(name: "nabla", targets: ["nabla"]),
        // The machine's fp32 FMA peak and memory bandwidth, measured: `nabla doctor` and the benchmarks.
        .library(name: "NablaMachineLimits", targets: ["CMachineLimits"]),
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
        .systemLibrary(
            name: "CCairo",
            pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]
        ),
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        .target(name: "Nabla", dependencies: ["COpenBLAS", "CLAPACKE"], swiftSettings: swift6),
        .target(name: "CMachineLimits"),
        .target(name: "NablaData", dependencies: ["Nabla", "CPNG", "CZlib"], swiftSettings: swift6),
        .target(name: "NablaNN", dependencies: ["Nabla", "NablaData"], swiftSettings: swift6),
        .target(name: "NablaPlot", dependencies: ["Nabla", "NablaData", "NablaNN", "CCairo"], swiftSettings: swift6),
        // The only module that links MPI.
        .target(name: "NablaDistributed", dependencies: ["Nabla", "NablaData", "NablaNN", "CMPI"], swiftSettings: swift6),
        // Fuzz/Package.swift's FuzzCommandLine compiles these sources too: it lists the same dependencies.
        .executableTarget(
            name: "nabla",
            dependencies: [
                "Nabla", "NablaNN", "NablaData", "NablaPlot", "NablaDistributed", "CMachineLimits",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),
        // The tests' helper that observes a programmer error's message without stopping.
        .target(name: "NablaTestSupport", dependencies: ["Nabla"], path: "Tests/NablaTestSupport"),
        .testTarget(name: "NablaTests", dependencies: ["Nabla", "NablaTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "NablaDataTests", dependencies: ["NablaData", "NablaTestSupport"]),
        .testTarget(name: "NablaNNTests", dependencies: ["NablaNN", "NablaData", "NablaTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "NablaPlotTests", dependencies: ["NablaPlot", "NablaTestSupport"]),
        // The code the DocC articles show, run; ArticleCodeTests checks the pages against it.
        .testTarget(name: "DocumentationTests", dependencies: ["Nabla", "NablaNN", "NablaData", "NablaPlot"]),
        // Every op against PyTorch in float64 (torch_oracle.py, run in the torch venv that setup installs).
        .testTarget(name: "NablaDifferentialTests", dependencies: ["Nabla", "NablaNN", "NablaTestSupport"], exclude: ["torch_oracle.py"]),
        // Compile tests: type-checks Cases/*.swift against the built modules and checks the diagnostics.
        .testTarget(name: "DiagnosticsTests", dependencies: ["Nabla", "NablaNN", "NablaData"], exclude: ["Cases"]),
        // Runs the built `nabla` executable as a separate process.
        .testTarget(name: "nablaTests", dependencies: ["nabla", "NablaPlot", "NablaTestSupport"]),
        // The hostile-input table: one row per bad input, on both backends, each in a memory-capped process.
        .testTarget(name: "NablaHostileTests", dependencies: ["nabla", "Nabla", "NablaNN", "NablaData", "NablaPlot", "NablaTestSupport"]),
        // The program NablaDistributedTests runs under mpirun with 1, 2 and 4 ranks.
        .executableTarget(name: "nabla-mpi-check", dependencies: ["Nabla", "NablaNN", "NablaData", "NablaDistributed"],
                          path: "Tests/MPICheck"),
        .testTarget(name: "NablaDistributedTests", dependencies: ["nabla-mpi-check", "nabla"]),
    ],
    swiftLanguageModes: [.v5]
)

// The documentation build (`NABLA_DOCS=1 swift package generate-documentation`, see the
// README) needs swift-docc-plugin; everyone else, a package that depends on Nabla
// included, never resolves it.
if Context.environment["NABLA_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
