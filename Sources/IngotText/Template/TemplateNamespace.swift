/// `namespace(...)`: the one mutable object a template can make, so `{% set ns.x = … %}` inside a loop is seen
/// after it (jinja2's scoping otherwise keeps loop assignments inside the loop).
final class TemplateNamespace {
    var attributes = TemplateDict()

    /// transformers refuses underscore-prefixed names on a namespace (they could reach Python internals).
    static func checkName(_ name: String) throws(TemplateError) {
        guard name.hasPrefix("_") else { return }
        throw TemplateError(
            .unsupported,
            "Chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(name)'. "
                + "Please rename the attribute.")
    }
}
