import ArgumentParser
import IngotFormat
import IngotInterop

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file's layout and every checksum.",
        discussion: "Exit 0 when the file is sound; exit 1 naming the first bad tensor (or the header) otherwise.")

    @Argument(help: "The file to check.") var file: String

    func run() throws {
        let summary = try FileChecker.check(path: file)
        print(summary)
    }
}
