/// The filters jinja2 writes as Python generators: `map`, `select`, `reject`, `selectattr`, `rejectattr`,
/// `unique` (and `items`, in the filters file). Each returns a lazy `TemplateIterator`; as in Python, their
/// arguments are checked, and their tests and filters looked up, only when the first item is read.
extension TemplateRenderer {
    /// A generator over `value`: on the first read it checks that `value` is true (jinja2's `if value:`, when
    /// `checksValue`) and calls `prepare` for the per-item step, which returns the item to yield or nil to skip.
    private func generator(
        _ function: String, over value: TemplateValue, checksValue: Bool = true,
        prepare: @escaping () throws(TemplateError) -> ((TemplateValue) throws(TemplateError) -> TemplateValue?)
    ) -> TemplateValue {
        let read = TemplateIterator.reader(value)
        var started = false
        var stepper: ((TemplateValue) throws(TemplateError) -> TemplateValue?)?
        return .iterator(
            TemplateIterator(function: function) { () throws(TemplateError) -> TemplateValue? in
                if !started {
                    started = true
                    guard !checksValue || value.truthy else { return nil }
                    stepper = try prepare()
                }
                guard let stepper else { return nil }
                while let item = try read() {
                    if let out = try stepper(item) { return out }
                }
                return nil
            })
    }

    func generatorFilter(_ f: TemplateFilter, _ name: String, _ value: TemplateValue, _ args: TemplateCallArguments)
        throws(TemplateError) -> TemplateValue
    {
        switch f {
        case .map:
            return generator("sync_do_map", over: value) { () throws(TemplateError) in
                let transform = try self.mapTransform(args)
                return { item throws(TemplateError) in try transform(item) }
            }
        case .select, .reject, .selectattr, .rejectattr:
            let byAttribute = f == .selectattr || f == .rejectattr
            let keep = f == .select || f == .selectattr
            return generator("select_or_reject", over: value) { () throws(TemplateError) in
                guard !byAttribute || !args.positional.isEmpty else {
                    throw TemplateError(.type, "Missing parameter for attribute name")
                }
                let test = try self.predicate(args.positional.dropFirst(byAttribute ? 1 : 0), args.keyword)
                return { item throws(TemplateError) in
                    let probe = byAttribute ? try self.path(item, args.positional[0], default: nil) : item
                    return try test(probe) == keep ? item : nil
                }
            }
        default:
            // unique(case_sensitive=False, attribute=None): Python binds the arguments when the filter is called.
            let b = try args.bind(["case_sensitive", "attribute"], name)
            let caseSensitive = b[0]?.truthy ?? false
            let attribute = b[1]
            var seen: [TemplateValue] = []
            return generator("sync_do_unique", over: value, checksValue: false) { () throws(TemplateError) in
                return { item throws(TemplateError) in
                    let raw = attribute.isAbsent ? item : try self.path(item, attribute ?? .none, default: nil)
                    let key = self.sortKey(raw, caseSensitive: caseSensitive)
                    switch key {
                    case .list, .dict, .namespace, .iterator:
                        throw TemplateError(.type, "unhashable type: '\(key.typeName)'")
                    default: break
                    }
                    if try key.isIn(.list(seen)) { return nil }
                    try self.step(1 + seen.count >> 4)
                    seen.append(key)
                    return item
                }
            }
        }
    }

    /// `map`'s per-item function: an attribute path (`attribute=`, with `default=`), or a filter by name with
    /// its arguments, looked up for each item as jinja2 does.
    private func mapTransform(_ args: TemplateCallArguments) throws(TemplateError)
        -> (TemplateValue) throws(TemplateError) -> TemplateValue
    {
        if args.positional.isEmpty, let attribute = args.keyword.first(where: { $0.name == "attribute" })?.value {
            let fallback = args.keyword.first(where: { $0.name == "default" })?.value
            if let extra = args.keyword.first(where: { $0.name != "attribute" && $0.name != "default" }) {
                throw TemplateError(.type, "Unexpected keyword argument '\(extra.name)'")
            }
            return { item throws(TemplateError) in try self.path(item, attribute, default: fallback) }
        }
        guard let first = args.positional.first else { throw TemplateError(.type, "map requires a filter argument") }
        let filterName = try first.stringArgument("filter name")
        let rest = TemplateCallArguments(Array(args.positional.dropFirst()), keyword: args.keyword)
        return { item throws(TemplateError) in
            guard let mapped = TemplateFilter.named(filterName) else {
                throw TemplateError(.unsupported, "unsupported filter '\(filterName)'")
            }
            return try self.filter(mapped, filterName, item, rest)
        }
    }
}
