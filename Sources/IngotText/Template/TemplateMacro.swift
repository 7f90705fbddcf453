/// A macro bound to the scope it was defined in (it reads that scope's variables as they are when it is called).
///
/// The scope is held weakly: it holds the macro too, and a strong reference both ways would leak both after the
/// render. A defining scope lives as long as the template, loop iteration or macro call that made it, which is
/// where macros are called; one called after that (stored in a namespace and called after its loop) is an error.
struct TemplateMacro {
    let definition: TemplateMacroDefinition
    weak var scope: TemplateScope?
}
