/// The jinja2 filters Ingot implements (names resolved when the template is parsed: an unknown one is an error
/// at parse time, as in jinja2, which checks filters when it compiles a template).
enum TemplateFilter: String, Sendable, CaseIterable {
    case abs, attr, capitalize, center, `default`, dictsort, escape, first, float, format, indent, int, items, join
    case last, length, list, lower, map, max, min, reject, rejectattr, replace, reverse, round, safe, select, selectattr
    case sort, string, sum, title, tojson, trim, unique, upper, wordcount

    static func named(_ name: String) -> TemplateFilter? {
        switch name {
        case "d": .default
        case "e": .escape
        case "count": .length
        default: TemplateFilter(rawValue: name)
        }
    }
}
