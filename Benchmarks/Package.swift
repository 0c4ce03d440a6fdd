// swift-tools-version:6.1
// Nabla's benchmarks: a package-benchmark suite (`swift package benchmark`)
// and a runner that prints one comparison table (`swift run -c release nabla-bench`).
// A package of its own so that the library keeps no package dependencies.
import PackageDescription

/// package-benchmark discovers suites in Benchmarks/<Name>/<Name>.swift.
let suites = ["Products", "Reductions", "Elementwise", "Training", "Autograd", "LinearAlgebra"]

let package = Package(
    name: "NablaBenchmarks",
    products: [
        .executable(name: "nabla-bench", targets: ["NablaBenchRunner"]),
        .executable(name: "nabla-bench-scaling", targets: ["NablaScalingRunner"]),
    ],
    dependencies: [
        .package(name: "Nabla", path: ".."),
        // The malloc interposer gives the stable malloc counts; the default
        // traits would also pull the Swift 6.3 runtime interposer, which the
        // ARC metrics need and these suites do not use.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CDirectBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "NablaBenchKit",
            dependencies: [
                "CDirectBLAS",
                .product(name: "NablaMachineLimits", package: "Nabla"),
                .product(name: "Nabla", package: "Nabla"),
                .product(name: "NablaNN", package: "Nabla"),
                .product(name: "NablaData", package: "Nabla"),
            ]
        ),
        .target(
            name: "NablaBenchSuites",
            dependencies: ["NablaBenchKit", .product(name: "Benchmark", package: "benchmark")]
        ),
        .testTarget(name: "NablaBenchKitTests", dependencies: ["NablaBenchKit"]),
        // Data-parallel scaling (DistributedWorkloads.swift); it runs the next one under mpirun.
        .executableTarget(
            name: "NablaScalingRunner",
            dependencies: [
                "NablaBenchKit", "nabla-allreduce-bandwidth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "nabla-allreduce-bandwidth",
            dependencies: [
                .product(name: "Nabla", package: "Nabla"),
                .product(name: "NablaNN", package: "Nabla"),
                .product(name: "NablaDistributed", package: "Nabla"),
            ],
            path: "Sources/AllReduceBandwidth"
        ),
        .executableTarget(
            name: "NablaBenchRunner",
            dependencies: [
                "NablaBenchKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ] + suites.map { suite in
        .executableTarget(
            name: suite,
            dependencies: [
                "NablaBenchSuites",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/\(suite)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    },
    swiftLanguageModes: [.v5]
)
