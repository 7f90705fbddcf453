/// A Python iterator, which several jinja2 filters return instead of a list (`map`, `select`, `reject`,
/// `selectattr`, `rejectattr`, `unique`, `items`; `reverse` of a list or dict). Templates can tell: it is always
/// true (even when empty), has no length, prints as `<generator object …>`, and is consumed by the first loop or
/// filter that reads it. It is lazy as well: nothing is computed, and no error raised, until an item is read.
final class TemplateIterator {
    /// Python's type name (`generator`, `list_reverseiterator`, …) for error messages.
    let typeName: String
    /// The generator function's name, for printing.
    let function: String
    private var produce: (() throws(TemplateError) -> TemplateValue?)?

    init(typeName: String = "generator", function: String, produce: @escaping () throws(TemplateError) -> TemplateValue?) {
        self.typeName = typeName
        self.function = function
        self.produce = produce
    }

    /// The next item, nil once exhausted. A generator that raised is finished, as in Python.
    func next() throws(TemplateError) -> TemplateValue? {
        guard let produce else { return nil }
        do {
            if let v = try produce() { return v }
        } catch {
            self.produce = nil
            throw error
        }
        self.produce = nil
        return nil
    }

    /// Every remaining item (the iterator is then exhausted).
    func drain() throws(TemplateError) -> [TemplateValue] {
        var out: [TemplateValue] = []
        while let v = try next() { out.append(v) }
        return out
    }

    /// Reads `value` item by item, on demand: an iterator's own items, else what `for` would visit, computed at
    /// the first read (so an error surfaces then, as it would inside a Python generator).
    static func reader(_ value: TemplateValue) -> () throws(TemplateError) -> TemplateValue? {
        if case let .iterator(it) = value { return { () throws(TemplateError) in try it.next() } }
        var items: [TemplateValue]?
        var i = 0
        return { () throws(TemplateError) in
            if items == nil { items = try value.iterate() }
            guard let a = items, i < a.count else { return nil }
            i += 1
            return a[i - 1]
        }
    }
}
