import IngotFormat

/// A Python dict as templates see it: string keys compared by code points (`ExactKey`), insertion order kept.
struct TemplateDict {
    private(set) var keys: [String] = []
    private(set) var values: [TemplateValue] = []
    private var index: [ExactKey: Int] = [:]

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// Setting an existing key replaces its value in place; a new key goes last.
    subscript(key: String) -> TemplateValue? {
        get { index[ExactKey(key)].map { values[$0] } }
        set {
            guard let newValue else { return }
            if let i = index[ExactKey(key)] {
                values[i] = newValue
            } else {
                index[ExactKey(key)] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    var pairs: Zip2Sequence<[String], [TemplateValue]> { zip(keys, values) }
}
