/// What a dict's `keys()`, `values()` and `items()` return in Python: iterable, sized, printed as
/// `dict_keys([…])`, but not indexable and not JSON-serialisable (so `tojson` refuses it as Python does).
struct TemplateDictView {
    enum Kind: String {
        case keys = "dict_keys", values = "dict_values", items = "dict_items"
    }

    let kind: Kind
    let items: [TemplateValue]

    /// The iterator `reversed(view)` gives.
    var reversedTypeName: String {
        switch kind {
        case .keys: "dict_reversekeyiterator"
        case .values: "dict_reversevalueiterator"
        case .items: "dict_reverseitemiterator"
        }
    }
}
