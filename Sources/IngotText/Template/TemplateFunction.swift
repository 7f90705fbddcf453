/// The globals a template can call: jinja2's `range`/`namespace`/`dict` and transformers' additions.
enum TemplateFunction: String {
    case range, namespace, dict, raiseException = "raise_exception", strftimeNow = "strftime_now"
}
