import ArgumentParser

/// The `nabla` command: fastai's chapter 4 (MNIST 3s versus 7s) in Swift.
@main
struct NablaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nabla",
        abstract: "Nabla: fastai's chapter 4 (MNIST 3s versus 7s) on a Swift tensor engine.",
        discussion: """
            `nabla lesson` runs the whole chapter: pixel similarity, the linear model and the 784-30-1 net.
            By default the data is the 3s and 7s of the MNIST digits that scripts/setup.sh installs.
            """,
        subcommands: nablaSubcommands
    )
}
