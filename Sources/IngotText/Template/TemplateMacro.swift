/// A macro bound to the scope it was defined in (it reads that scope's variables as they are when it is called).
struct TemplateMacro {
    let definition: TemplateMacroDefinition
    let scope: TemplateScope
}
