import Foundation

/// The error that every NablaData reader throws for a file it cannot use.
///
/// The message always names the file (or folder) at fault and what is wrong
/// with it, for example
/// `train-images-idx3-ubyte: truncated: the header declares 60000×28×28 = 47040000 pixel bytes but only 1000 follow`.
public struct DataError: Error, CustomStringConvertible, LocalizedError {
    /// The file or folder at fault (`<memory>` style names for in-memory input).
    public let path: String
    /// What is wrong with it, in words.
    public let problem: String

    /// An error about the file or folder at `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `"<path>: <problem>"`.
    public var description: String { "\(path): \(problem)" }
    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
