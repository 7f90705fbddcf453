import ArgumentParser
import IngotFormat

/// `--json`: the library's JSON of a report instead of the CLI's text rendering.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (NaN and infinities as null).") var json = false

    func print(_ report: some Rendered) {
        Swift.print(json ? report.json.description : report.text)
    }
}

/// A library report the CLI prints: `json` comes from the library, `text` is the CLI's rendering of it.
protocol Rendered {
    var json: JSONValue { get }
    var text: String { get }
}
