// swift-tools-version:6.1
// A package outside Nabla that depends on it by path, the way a user's project
// would, to check that the public API is usable from another module.
import PackageDescription

let package = Package(
    name: "NablaConsumer",
    dependencies: [
        // Named, because a path dependency's identity is otherwise the name of
        // the checkout's folder, which differs between clones.
        .package(name: "Nabla", path: "../.."),
    ],
    // One executable target per usage contract; scripts/check-consumer.sh runs
    // each and compares its output with expected/<target>.txt. A contract that
    // an issue states "in the Swift 6 language mode" sets
    // swiftSettings: [.swiftLanguageMode(.v6)] on its target.
    targets: [
        .executableTarget(
            name: "NablaConsumer",
            dependencies: [.product(name: "Nabla", package: "Nabla")]
        ),
        // The README's first program, in the Swift 6 language mode.
        .executableTarget(
            name: "FirstProgram",
            dependencies: [.product(name: "Nabla", package: "Nabla"), .product(name: "NablaNN", package: "Nabla")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Issue 20's element types, in the Swift 6 language mode.
        .executableTarget(
            name: "ElementTypesContract",
            dependencies: [.product(name: "Nabla", package: "Nabla")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ModulesContract",
            dependencies: [.product(name: "Nabla", package: "Nabla"), .product(name: "NablaNN", package: "Nabla")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ConcurrencyContract",
            dependencies: [.product(name: "Nabla", package: "Nabla")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "IndexingContract",
            dependencies: [.product(name: "Nabla", package: "Nabla"), .product(name: "NablaData", package: "Nabla")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ],
    swiftLanguageModes: [.v5]
)
