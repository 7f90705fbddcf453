import IngotFormat

@testable import IngotText

/// The moment the tests' `strftime_now` formats (the fixtures use the same one).
let fixedNow = TemplateDate(year: 2026, month: 7, day: 26, hour: 14, minute: 5, second: 9)

/// Renders `source` with the variables of the JSON object `context` (jinja2's `render(**context)`).
func render(_ source: String, _ context: String = "{}", limits: TemplateLimits = TemplateLimits())
    throws(TemplateError) -> String
{
    let variables = (try? JSONParser.parse(Array(context.utf8)))?.objectValue ?? JSONObject()
    return try ChatTemplate(source: source, limits: limits).render(variables, now: fixedNow)
}

/// The error parsing or rendering `source` gives; nil when it renders.
func renderError(_ source: String, _ context: String = "{}", limits: TemplateLimits = TemplateLimits())
    -> TemplateError?
{
    do {
        _ = try render(source, context, limits: limits)
        return nil
    } catch {
        return error
    }
}
