// ingot-template-check TEMPLATE_FILE CONTEXT_JSON [--now YYYY-MM-DDTHH:MM:SS]
//
// Renders TEMPLATE_FILE with the variables of the JSON object in CONTEXT_JSON (jinja2's `render(**context)`)
// and prints the result byte for byte, so scripts/check_templates_real.py can compare Ingot with jinja2.
// Internal tool: exit 1 with the error on stderr when the template fails, 64 on bad usage.
import Foundation
import IngotFormat
import IngotText

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data(("ingot-template-check: " + message + "\n").utf8))
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
var now = TemplateDate.now()
if let i = args.firstIndex(of: "--now") {
    guard i + 1 < args.count else { fail("--now needs YYYY-MM-DDTHH:MM:SS", 64) }
    let parts = args[i + 1].split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
    guard parts.count == 6 else { fail("--now needs YYYY-MM-DDTHH:MM:SS", 64) }
    now = TemplateDate(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
    args.removeSubrange(i...(i + 1))
}
guard args.count == 2 else { fail("usage: ingot-template-check TEMPLATE_FILE CONTEXT_JSON [--now …]", 64) }
guard let templateData = FileManager.default.contents(atPath: args[0]),
    let source = String(data: templateData, encoding: .utf8)
else { fail("\(args[0]): cannot read UTF-8 text", 1) }
guard let contextData = FileManager.default.contents(atPath: args[1]) else { fail("\(args[1]): cannot read", 1) }

do {
    guard case let .object(context) = try JSONParser.parse(Array(contextData)) else {
        fail("\(args[1]): not a JSON object", 1)
    }
    let template = try ChatTemplate(source: source)
    FileHandle.standardOutput.write(Data(try template.render(context, now: now).utf8))
} catch {
    fail("\(error)", 1)
}
