/// Variables visible at one point of a render: a loop iteration, a macro call or `with` block gets a child
/// scope, so its assignments vanish when it ends (jinja2's rule), while `if` bodies share their scope.
final class TemplateScope {
    private var variables: [String: TemplateValue] = [:]
    let parent: TemplateScope?

    init(parent: TemplateScope?) { self.parent = parent }

    func lookup(_ name: String) -> TemplateValue? {
        var s: TemplateScope? = self
        while let scope = s {
            if let v = scope.variables[name] { return v }
            s = scope.parent
        }
        return nil
    }

    func set(_ name: String, _ value: TemplateValue) { variables[name] = value }
}
