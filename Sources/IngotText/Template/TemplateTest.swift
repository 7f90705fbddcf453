/// The jinja2 tests (`x is name`) Ingot implements, with their aliases.
enum TemplateTest: String, Sendable, CaseIterable {
    case defined, undefined, none, string, mapping, number, integer, float, iterable, sequence, boolean
    case `true`, `false`, odd, even, divisibleby, eq, ne, lt, le, gt, ge, `in`, callable, lower, upper, sameas
    case escaped, filter, test

    static func named(_ name: String) -> TemplateTest? {
        switch name {
        case "equalto", "==": .eq
        case "!=": .ne
        case "lessthan", "<": .lt
        case "<=": .le
        case "greaterthan", ">": .gt
        case ">=": .ge
        default: TemplateTest(rawValue: name)
        }
    }
}
