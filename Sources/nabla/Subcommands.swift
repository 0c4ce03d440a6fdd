import ArgumentParser

/// Every subcommand of `nabla`, in the order `--help` lists them.
/// Other subcommands (such as `bench`) are added to this list.
let nablaSubcommands: [any ParsableCommand.Type] = [
    LessonCommand.self,
    SimilarityCommand.self,
    TrainCommand.self,
    QuadraticCommand.self,
    DigitsCommand.self,
    DoctorCommand.self,
]
