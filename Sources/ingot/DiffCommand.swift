import ArgumentParser
import IngotKit

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare two models tensor by tensor (canonical names, any formats): SQNR, max error, cosine.")

    @Argument(help: "The reference model.") var a: String
    @Argument(help: "The model to compare.") var b: String
    @OptionGroup var show: OutputOptions

    func run() throws {
        show.print(try DiffReport.compare(a, b))
    }
}
