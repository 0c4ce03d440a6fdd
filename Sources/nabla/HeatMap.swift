import Nabla
import NablaNN

/// Prints a matrix of values in [0, 1] as their 0–255 numbers on gray
/// backgrounds, as the book does with pandas' `background_gradient('Greys')`:
/// 0 is white, 255 black. Without a terminal it prints the numbers only.
func printHeatMap(_ values: Tensor, to console: Console) {
    guard values.rank == 2 else { Nabla.fail("printHeatMap: expected a matrix, got shape \(values.shape)") }
    let (rows, columns) = (values.shape[0], values.shape[1])
    let scalars = values.scalars
    let shaded = console.isTerminal
    for row in 0..<rows {
        var line = ""
        for column in 0..<columns {
            let value = scalars[row * columns + column]
            let level = value.isNaN ? 0 : Int((min(max(value, 0), 1) * 255).rounded())
            let number = String(level)
            let cell = String(repeating: " ", count: 4 - number.count) + number
            if shaded {
                // The 24 grays of the 256-colour palette run from 232 (darkest) to 255 (lightest).
                let background = 255 - level * 23 / 255
                let foreground = level > 127 ? 255 : 232
                line += "\u{1B}[48;5;\(background)m\u{1B}[38;5;\(foreground)m\(cell)"
            } else {
                line += cell
            }
        }
        console.writeLine(shaded ? line + "\u{1B}[0m" : line)
    }
}
