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
    targets: [
        .executableTarget(
            name: "NablaConsumer",
            dependencies: [.product(name: "Nabla", package: "Nabla")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
